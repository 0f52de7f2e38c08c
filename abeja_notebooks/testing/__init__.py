"""An offline, stateful emulator of the ABEJA Platform Notebook API, for tests.

One request -> response core (:meth:`Emulator.handle`) is reached either in-process, through
httpx transports (:meth:`Emulator.transport`, :meth:`Emulator.async_transport`), or over real
HTTP (:class:`EmulatorServer`, or ``python -m abeja_notebooks.testing``). Time comes from a
:class:`Clock`; in tests a :class:`ManualClock` makes the notebook lifecycle and the log stream
deterministic. Faults (:class:`Fault`) are injected by rule and every request is recorded
(:class:`RecordedRequest`).

Example:
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
