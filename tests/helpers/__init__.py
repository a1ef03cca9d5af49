"""Helpers shared by the tests, imported as ``from tests.helpers.<module> import ...``.

conftest.py files hold only fixtures (which call these helpers); test modules never import from conftest.
"""
