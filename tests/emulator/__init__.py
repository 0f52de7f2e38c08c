"""Tests of the offline Notebook API emulator (``abeja_notebooks.testing``), with raw httpx."""
