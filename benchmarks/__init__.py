"""Benchmarks of abeja-notebooks against raw httpx and the old client: ``python -m benchmarks``.

Every figure is compared with its baseline measured in the same run, as a ratio, so the numbers
mean something on a shared, noisy machine. Nothing in the test suite times anything; a smoke
test only runs this harness with tiny sizes.
"""
