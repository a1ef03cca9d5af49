"""The tool's version, in a module of its own so that every layer can name it without importing the package
root (whose ``audit()`` reaches the engine)."""

__version__ = "0.1.0"
