__version__ = "0.1.0"
"""The version of this package (``abeja_notebooks.__version__``)."""
