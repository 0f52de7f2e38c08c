"""The synchronous resource model and client, generated from ``_async/`` by ``scripts/unasync.py``.

Every module here but this one is generated: edit its async source instead.
"""
