"""Small scripts to copy, each run by a test against the bundled emulator.

The directory is a package only so that ``tests/test_docs.py`` can import the examples the
documentation shows; every file also runs on its own (``python examples/quickstart.py``).
"""
