"""abeja-notebooks: a typed SDK for the ABEJA Platform Notebook API.

Start with [`Client`][abeja_notebooks.Client] (typed models, lazy pagination, log following,
waiters) or [`APIClient`][abeja_notebooks.APIClient] (the drop-in, dict-returning replacement for
``abeja.notebook.APIClient``).

The names below load on first use (PEP 562), so ``import abeja_notebooks`` costs almost
nothing until a client or model is touched; type checkers see ordinary imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from ._api_client import APIClient
    from ._async.client import AsyncClient
    from ._async.manager import AsyncNotebooks
    from ._async.notebook import AsyncNotebook, AsyncNotebookIterator
    from ._clock import Clock, SystemClock
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
        ResponseTooLarge,
        ResponseValidationError,
        ServiceUnavailable,
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
    from ._sync.client import Client
    from ._sync.manager import Notebooks
    from ._sync.notebook import Notebook, NotebookIterator

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
    "ResponseTooLarge",
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

_LAZY: dict[str, str] = {
    "APIClient": "._api_client",
    "APIConnectionError": "._errors",
    "APITimeoutError": "._errors",
    "AbejaError": "._errors",
    "AsyncClient": "._async.client",
    "AsyncNotebook": "._async.notebook",
    "AsyncNotebookIterator": "._async.notebook",
    "AsyncNotebooks": "._async.manager",
    "BadGateway": "._errors",
    "BadRequest": "._errors",
    "BaseNotebook": "._models",
    "Client": "._sync.client",
    "Clock": "._clock",
    "ConfigurationError": "._errors",
    "Conflict": "._errors",
    "Creator": "._models",
    "Credentials": "._config",
    "Forbidden": "._errors",
    "GatewayTimeout": "._errors",
    "HttpError": "._errors",
    "InternalServerError": "._errors",
    "LogEvent": "._models",
    "LogPage": "._models",
    "Message": "._models",
    "MethodNotAllowed": "._errors",
    "NOT_GIVEN": "._config",
    "NotFound": "._errors",
    "NotGiven": "._config",
    "Notebook": "._sync.notebook",
    "NotebookFailed": "._errors",
    "NotebookIterator": "._sync.notebook",
    "NotebookPage": "._models",
    "NotebookStatus": "._models",
    "Notebooks": "._sync.manager",
    "ResponseTooLarge": "._errors",
    "ResponseValidationError": "._errors",
    "RetryPolicy": "._config",
    "ServiceUnavailable": "._errors",
    "SystemClock": "._clock",
    "TooManyRequests": "._errors",
    "Unauthorized": "._errors",
    "UnboundNotebookError": "._errors",
    "UnprocessableEntity": "._errors",
    "WaitTimeout": "._errors",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'abeja_notebooks' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
