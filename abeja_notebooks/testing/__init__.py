"""An offline, stateful emulator of the ABEJA Platform Notebook API, for tests.

One request -> response core (`Emulator.handle`) is
reached either in-process, through httpx transports
(`Emulator.transport`,
`Emulator.async_transport`), or over real HTTP
(`EmulatorServer`, or ``python -m
abeja_notebooks.testing``). Time comes from a `TimeSource`;
in tests a `ManualClock` makes the notebook lifecycle and
the log stream deterministic. Faults (`Fault`) are injected by
rule, every request is recorded (`RecordedRequest`),
and a `Dialect` picks the answer forms.

The names below load on first use (PEP 562): importing this package (as pytest does with the
bundled plugin in every run) loads neither httpx nor pydantic.

Examples:
    >>> import httpx
    >>> from abeja_notebooks.testing import Emulator
    >>> emulator = Emulator()
    >>> http = httpx.Client(transport=emulator.transport(), base_url="http://emulator",
    ...                     headers={"Authorization": "Bearer anything"})
    >>> _ = emulator.inject(status=503, retry_after="1", method="GET")
    >>> http.get("/organizations/1410000000000/training/definitions/train-resnet/notebooks"
    ...          ).status_code
    503
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from abeja_notebooks._lazy import load

if TYPE_CHECKING:
    from ._clock import ManualClock, RealClock, TimeSource
    from ._dialect import Dialect
    from ._emulator import DEFAULT_JOB_DEFINITION, DEFAULT_ORGANIZATION_ID, Emulator
    from ._faults import Fault, FaultOptions, FaultRule
    from ._records import EmulatorResponse, RecordedRequest, ResponseAction
    from ._server import EmulatorServer

__all__ = [
    "DEFAULT_JOB_DEFINITION",
    "DEFAULT_ORGANIZATION_ID",
    "Dialect",
    "Emulator",
    "EmulatorResponse",
    "EmulatorServer",
    "Fault",
    "FaultOptions",
    "FaultRule",
    "ManualClock",
    "RealClock",
    "RecordedRequest",
    "ResponseAction",
    "TimeSource",
]

_LAZY: dict[str, str] = {
    "DEFAULT_JOB_DEFINITION": "._emulator",
    "DEFAULT_ORGANIZATION_ID": "._emulator",
    "Dialect": "._dialect",
    "Emulator": "._emulator",
    "EmulatorResponse": "._records",
    "EmulatorServer": "._server",
    "Fault": "._faults",
    "FaultOptions": "._faults",
    "FaultRule": "._faults",
    "ManualClock": "._clock",
    "RealClock": "._clock",
    "RecordedRequest": "._records",
    "ResponseAction": "._records",
    "TimeSource": "._clock",
}


def __getattr__(name: str) -> object:
    return load(__name__, _LAZY, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
