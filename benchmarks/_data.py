"""What the benchmarks send and how much work each does."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = [
    "BODY",
    "JOB",
    "NID",
    "NOTEBOOK",
    "ORG",
    "PAGE",
    "PATH",
    "TOKEN",
    "Sizes",
    "canned_transport",
]

ORG = "1410000000000"
JOB = "train-resnet"
NID = "1900000000001"
TOKEN = "benchmark-token"
PATH = f"/organizations/{ORG}/training/definitions/{JOB}/notebooks"

NOTEBOOK: dict[str, Any] = {
    "job_definition_id": "1230000000001",
    "training_notebook_id": NID,
    "name": "notebook-1",
    "description": None,
    "status": "Running",
    "status_message": None,
    "instance_type": "cpu-1",
    "image": "abeja-inc/all-cpu:19.10",
    "creator": {
        "id": "1122334455660",
        "email": "test@abeja.asia",
        "display_name": None,
        "role": "admin",
        "is_registered": True,
        "created_at": "2017-05-26T01:38:46Z",
        "updated_at": "2018-01-04T03:02:12Z",
    },
    "created_at": "2018-06-07T04:42:34.913644Z",
    "modified_at": "2018-06-07T04:42:34.913726Z",
}
BODY = json.dumps(NOTEBOOK).encode()


def _nth(number: int) -> dict[str, Any]:
    # Each notebook of a page has its own id, name and times, as on a real listing.
    return {
        **NOTEBOOK,
        "training_notebook_id": str(int(NID) + number),
        "name": f"notebook-{number + 1}",
        "status": ("Running", "Stopped", "Pending")[number % 3],
        "created_at": f"2018-06-07T04:{number % 60:02d}:34.{number:06d}Z",
        "modified_at": f"2018-06-08T05:{number % 60:02d}:12.{number:06d}Z",
    }


PAGE = json.dumps(
    {"total": 1000, "offset": 0, "limit": 100, "entries": [_nth(n) for n in range(100)]}
).encode()
"""A page of 100 notebooks, as the paged listing sends it."""


def canned_transport(body: bytes = BODY) -> httpx.MockTransport:
    """An in-process transport that answers every request with ``body`` (sync or async)."""
    response_headers = {"content-type": "application/json"}
    return httpx.MockTransport(
        lambda _: httpx.Response(200, content=body, headers=response_headers)
    )


@dataclass(frozen=True)
class Sizes:
    """How much work each benchmark does (``quick`` for the smoke test).

    ``*_rounds`` is how many paired rounds a comparison takes; the other figures are the work
    of one side in one round.
    """

    calls: int = 200
    http_calls: int = 40
    call_rounds: int = 61
    old_calls: int = 40
    old_rounds: int = 21
    pages: int = 8
    page_rounds: int = 151
    pages_small: int = 10_000
    pages_large: int = 100_000
    walk_rounds: int = 5
    fanout: int = 1_000
    concurrency: int = 50
    fanout_rounds: int = 7
    process_rounds: int = 31
    idle_seconds: float = 10.0
    memory_seconds: float = 180.0
    memory_threads: int = 8

    @classmethod
    def quick(cls) -> Sizes:
        """Tiny sizes: checks the harness works, measures nothing meaningful."""
        return cls(
            calls=20,
            http_calls=10,
            call_rounds=2,
            old_calls=5,
            old_rounds=2,
            pages=1,
            page_rounds=2,
            pages_small=300,
            pages_large=600,
            walk_rounds=1,
            fanout=40,
            concurrency=10,
            fanout_rounds=1,
            process_rounds=1,
            idle_seconds=0.3,
            memory_seconds=3.0,
            memory_threads=2,
        )
