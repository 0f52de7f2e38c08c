"""The resource model and client, written once, async.

``scripts/unasync.py`` turns each module here into its synchronous twin in ``_sync/``; edit these
files, never the generated ones.
"""
