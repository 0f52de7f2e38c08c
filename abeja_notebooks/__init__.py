"""abeja-notebooks: a typed SDK for the ABEJA Platform Notebook API.

Start with `Client` (typed models, lazy pagination, log following,
waiters) or `APIClient` (the drop-in, dict-returning replacement for
``abeja.notebook.APIClient``).

The names below load on first use (PEP 562), so ``import abeja_notebooks`` costs almost
nothing until a client or model is touched; type checkers see ordinary imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import load
from ._version import __version__

if TYPE_CHECKING:
    from ._api_client import APIClient
    from ._async.client import AsyncClient
    from ._async.manager import AsyncNotebooks
    from ._async.notebook import AsyncNotebook, AsyncNotebookIterator
    from ._async.raw import AsyncNotebooksWithRawResponse
    from ._clock import Clock, SystemClock
    from ._config import NOT_GIVEN, Credentials, NotGiven, RetryPolicy, Settings
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
        ResponseTooLarge,
        ResponseValidationError,
        ServiceUnavailable,
        StatusUnreachable,
        TooManyRequests,
        Unauthorized,
        UnboundNotebookError,
        UnprocessableEntity,
        WaitTimeout,
    )
    from ._models import (
        BaseNotebook,
        Creator,
        LogEvent,
        LogPage,
        Message,
        NotebookPage,
        NotebookStatus,
    )
    from ._response import APIResponse
    from ._sync.client import Client
    from ._sync.manager import Notebooks
    from ._sync.notebook import Notebook, NotebookIterator
    from ._sync.raw import NotebooksWithRawResponse
    from ._types import (
        ActionNotebookDict,
        CreatorDict,
        DeleteDict,
        LogEventDict,
        LogPageDict,
        MessageDict,
        NotebookDict,
        NotebookPageDict,
        NotebookType,
    )

__all__ = [
    "NOT_GIVEN",
    "APIClient",
    "APIConnectionError",
    "APIResponse",
    "APITimeoutError",
    "AbejaError",
    "ActionNotebookDict",
    "AsyncClient",
    "AsyncNotebook",
    "AsyncNotebookIterator",
    "AsyncNotebooks",
    "AsyncNotebooksWithRawResponse",
    "BadGateway",
    "BadRequest",
    "BaseNotebook",
    "Client",
    "Clock",
    "ConfigurationError",
    "Conflict",
    "Creator",
    "CreatorDict",
    "Credentials",
    "DeleteDict",
    "Forbidden",
    "GatewayTimeout",
    "HttpError",
    "InternalServerError",
    "LogEvent",
    "LogEventDict",
    "LogPage",
    "LogPageDict",
    "Message",
    "MessageDict",
    "MethodNotAllowed",
    "NotFound",
    "NotGiven",
    "Notebook",
    "NotebookDict",
    "NotebookFailed",
    "NotebookIterator",
    "NotebookPage",
    "NotebookPageDict",
    "NotebookStatus",
    "NotebookType",
    "Notebooks",
    "NotebooksWithRawResponse",
    "ResponseTooLarge",
    "ResponseValidationError",
    "RetryPolicy",
    "ServiceUnavailable",
    "Settings",
    "StatusUnreachable",
    "SystemClock",
    "TooManyRequests",
    "Unauthorized",
    "UnboundNotebookError",
    "UnprocessableEntity",
    "WaitTimeout",
    "__version__",
]

_LAZY: dict[str, str] = {
    "APIClient": "._api_client",
    "APIConnectionError": "._errors",
    "APIResponse": "._response",
    "APITimeoutError": "._errors",
    "AbejaError": "._errors",
    "ActionNotebookDict": "._types",
    "AsyncClient": "._async.client",
    "AsyncNotebook": "._async.notebook",
    "AsyncNotebookIterator": "._async.notebook",
    "AsyncNotebooks": "._async.manager",
    "AsyncNotebooksWithRawResponse": "._async.raw",
    "BadGateway": "._errors",
    "BadRequest": "._errors",
    "BaseNotebook": "._models",
    "Client": "._sync.client",
    "Clock": "._clock",
    "ConfigurationError": "._errors",
    "Conflict": "._errors",
    "Creator": "._models",
    "CreatorDict": "._types",
    "Credentials": "._config",
    "DeleteDict": "._types",
    "Forbidden": "._errors",
    "GatewayTimeout": "._errors",
    "HttpError": "._errors",
    "InternalServerError": "._errors",
    "LogEvent": "._models",
    "LogEventDict": "._types",
    "LogPage": "._models",
    "LogPageDict": "._types",
    "Message": "._models",
    "MessageDict": "._types",
    "MethodNotAllowed": "._errors",
    "NOT_GIVEN": "._config",
    "NotFound": "._errors",
    "NotGiven": "._config",
    "Notebook": "._sync.notebook",
    "NotebookDict": "._types",
    "NotebookFailed": "._errors",
    "NotebookIterator": "._sync.notebook",
    "NotebookPage": "._models",
    "NotebookPageDict": "._types",
    "NotebookStatus": "._models",
    "NotebookType": "._types",
    "Notebooks": "._sync.manager",
    "NotebooksWithRawResponse": "._sync.raw",
    "ResponseTooLarge": "._errors",
    "ResponseValidationError": "._errors",
    "RetryPolicy": "._config",
    "ServiceUnavailable": "._errors",
    "Settings": "._config",
    "StatusUnreachable": "._errors",
    "SystemClock": "._clock",
    "TooManyRequests": "._errors",
    "Unauthorized": "._errors",
    "UnboundNotebookError": "._errors",
    "UnprocessableEntity": "._errors",
    "WaitTimeout": "._errors",
}


def __getattr__(name: str) -> object:
    return load(__name__, _LAZY, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
