"""abeja-notebooks: a typed SDK for the ABEJA Platform Notebook API.

Start with :class:`Client` (typed models, lazy pagination, log following, waiters) or
:class:`APIClient` (the drop-in, dict-returning replacement for ``abeja.notebook.APIClient``).
"""

from ._api_client import APIClient
from ._async_resources import AsyncNotebook, AsyncNotebookIterator, AsyncNotebooks
from ._client import AsyncClient, Client
from ._config import NOT_GIVEN, Credentials, NotGiven, RetryPolicy
from ._errors import (
    AbejaError,
    APIConnectionError,
    APITimeoutError,
    BadGateway,
    BadRequest,
    ConfigurationError,
    Conflict,
    Forbidden,
    GatewayTimeout,
    HttpError,
    InternalServerError,
    MethodNotAllowed,
    NotebookFailed,
    NotFound,
    ResponseValidationError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnboundNotebookError,
    UnprocessableEntity,
    WaitTimeout,
)
from ._models import BaseNotebook, Creator, LogEvent, LogPage, Message, NotebookPage, NotebookStatus
from ._resources import Notebook, NotebookIterator, Notebooks
from ._transport import Clock, SystemClock
from ._version import __version__

__all__ = [
    "NOT_GIVEN",
    "APIClient",
    "APIConnectionError",
    "APITimeoutError",
    "AbejaError",
    "AsyncClient",
    "AsyncNotebook",
    "AsyncNotebookIterator",
    "AsyncNotebooks",
    "BadGateway",
    "BadRequest",
    "BaseNotebook",
    "Client",
    "Clock",
    "ConfigurationError",
    "Conflict",
    "Creator",
    "Credentials",
    "Forbidden",
    "GatewayTimeout",
    "HttpError",
    "InternalServerError",
    "LogEvent",
    "LogPage",
    "Message",
    "MethodNotAllowed",
    "NotFound",
    "NotGiven",
    "Notebook",
    "NotebookFailed",
    "NotebookIterator",
    "NotebookPage",
    "NotebookStatus",
    "Notebooks",
    "ResponseValidationError",
    "RetryPolicy",
    "ServiceUnavailable",
    "SystemClock",
    "TooManyRequests",
    "Unauthorized",
    "UnboundNotebookError",
    "UnprocessableEntity",
    "WaitTimeout",
    "__version__",
]
