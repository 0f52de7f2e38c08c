"""An offline, stateful emulator of the ABEJA Platform Notebook API, for tests.

One request -> response core (`Emulator.handle`) is
reached either in-process, through httpx transports
(`Emulator.transport`,
`Emulator.async_transport`), or over real HTTP
(`EmulatorServer`, or ``python -m
abeja_notebooks.testing``). Time comes from a `Clock`; in tests a
`ManualClock` makes the notebook lifecycle and the log stream
deterministic. Faults (`Fault`) are injected by rule and every
request is recorded (`RecordedRequest`).

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

from ._clock import Clock, ManualClock, RealClock
from ._emulator import DEFAULT_JOB_DEFINITION, DEFAULT_ORGANIZATION_ID, Emulator
from ._faults import Fault, FaultOptions, FaultRule
from ._records import EmulatorResponse, RecordedRequest, ResponseAction
from ._server import EmulatorServer

__all__ = [
    "DEFAULT_JOB_DEFINITION",
    "DEFAULT_ORGANIZATION_ID",
    "Clock",
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
]
