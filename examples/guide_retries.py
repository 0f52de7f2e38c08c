"""The examples of the retries and timeouts guide (docs/guides/retries-and-timeouts.md)."""

from __future__ import annotations

import httpx

from abeja_notebooks import Client, RetryPolicy


# --8<-- [start:options]
def patient_client() -> Client:
    return Client(
        timeout=httpx.Timeout(30.0, connect=5.0),  # per attempt; a plain 30.0 sets all four
        max_retries=5,  # up to six attempts; 0 disables retries
        retry_policy=RetryPolicy(initial_delay=1.0, max_delay=30.0, max_retry_after=120.0),
        deadline=300.0,  # each call, attempts and sleeps included, ends within five minutes
    )


# --8<-- [end:options]


# --8<-- [start:with-options]
def quick_check(client: Client) -> int:
    quick = client.with_options(timeout=5.0, max_retries=0, deadline=None)  # same pool
    return quick.notebooks.list_page("train-resnet", limit=1).total


# --8<-- [end:with-options]
