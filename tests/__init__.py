"""The test suite (a package so that ``tests.helpers`` is importable; pytest puts the checkout on sys.path)."""
