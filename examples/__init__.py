"""The longer scripts the documentation shows whole, each run by a test.

docs/quickstart.md shows them, and tests/docs/test_pages.py keeps its copies
identical to these files. Each runs on its own: python examples/quickstart.py
"""
