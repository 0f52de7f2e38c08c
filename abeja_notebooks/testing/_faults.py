"""Injected faults: what goes wrong, which requests it goes wrong for, and the answer it makes."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal, TypedDict

from ._records import EmulatorResponse
from ._wire import error_payload, merge_headers

__all__ = ["Fault", "FaultOptions", "FaultQueue", "FaultRule", "apply_fault"]

_PLACEHOLDER = b'{"message":"this answer was replaced by an injected fault"}'


class FaultOptions(TypedDict, total=False):
    """The keyword arguments of ``Fault``, as taken by ``Emulator.inject(**options)``.

    Each key means what the field of the same name of
    `Fault` means.
    """

    status: int | None
    """Answer with this HTTP status."""
    retry_after: str | None
    """The ``Retry-After`` header sent with ``status``."""
    body: bytes | None
    """A raw body to serve instead of the JSON error body."""
    headers: Mapping[str, str] | None
    """Extra response headers."""
    content_type: str | None
    """The ``Content-Type`` of ``body``."""
    latency: float
    """Real seconds to wait before answering (or failing)."""
    drop: bool
    """Close the connection without answering."""
    refuse: bool
    """Refuse the connection."""
    timeout: bool
    """Never answer."""
    truncate: bool
    """Send a body shorter than its ``Content-Length``, then close."""
    malformed: bool
    """Answer with a syntactically broken JSON body."""
    after: bool
    """Apply the fault after the emulator has acted on the request."""


@dataclass(frozen=True)
class Fault:
    """One thing that goes wrong with a request.

    A fault either *replaces the answer* (a status, a raw body, a dropped or refused connection, a
    timeout, a truncated or malformed body) or only delays it (``latency`` alone).

    With ``after=False`` (the default) a replacing fault is applied before the emulator looks at
    the request: nothing changes on the server. With ``after=True`` the emulator performs the
    operation first (a notebook is created, stopped, ...) and the fault then replaces the answer,
    which is how a test proves that a client does not blindly retry a non-idempotent call.

    Attributes:
        status: Answer with this HTTP status and a JSON error body in the API's shape (or with
            ``body`` when given).
        retry_after: Value of a ``Retry-After`` header sent with ``status``.
        body: A raw body to serve instead of the JSON error body (an HTML page, truncated JSON,
            ...). Its status is ``status``, or 200 when ``status`` is not given.
        headers: Extra response headers, applied last.
        content_type: ``Content-Type`` of ``body`` (default ``application/json``).
        latency: Real seconds to wait before answering (or before failing), in every transport.
        drop: Close the connection without answering. In-process: ``httpx.RemoteProtocolError``.
        refuse: Refuse the connection. In-process: ``httpx.ConnectError``. Over HTTP the server
            must read the request line to match the rule, so the client sees a connection closed
            without an answer, as with ``drop``. Cannot be combined with ``after=True``.
        timeout: Never answer. In-process: ``httpx.ReadTimeout`` (after ``latency``). Over HTTP:
            wait ``latency`` (or 2 s) and close the connection.
        truncate: Announce a ``Content-Length`` larger than the body actually sent, then close the
            connection. In-process: reading the body raises ``httpx.RemoteProtocolError``.
        malformed: Answer ``status`` (default 200) with a syntactically broken JSON body and a
            correct ``Content-Length``.
        after: Apply the fault after the emulator has acted on the request.

    Raises:
        ValueError: On a combination that makes no sense (see ``__post_init__``).

    A fault with only ``headers`` (and maybe ``latency``) does not replace the answer either: the
    headers are added to the emulator's own answer.

    Examples:
        >>> fault = Fault(status=503, retry_after="1")
        >>> fault.replaces_answer
        True
    """

    status: int | None = None
    retry_after: str | None = None
    body: bytes | None = None
    headers: Mapping[str, str] | None = None
    content_type: str | None = None
    latency: float = 0.0
    drop: bool = False
    refuse: bool = False
    timeout: bool = False
    truncate: bool = False
    malformed: bool = False
    after: bool = False

    def __post_init__(self) -> None:
        """Check that the fault is coherent.

        Raises:
            ValueError: If nothing would happen, if two connection-level kinds are combined, if a
                connection-level kind is combined with a response, or on an invalid value.
        """
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"status must be an HTTP status code (100-599), got {self.status!r}")
        if not math.isfinite(self.latency) or self.latency < 0:
            raise ValueError(f"latency must be a finite number >= 0, got {self.latency!r}")
        connection = [name for name in ("drop", "refuse", "timeout") if getattr(self, name)]
        shaping = [name for name in ("truncate", "malformed") if getattr(self, name)]
        response = [name for name in ("status", "body") if getattr(self, name) is not None]
        if len(connection) > 1 or len(shaping) > 1:
            raise ValueError(f"a fault has one kind, got {' and '.join(connection + shaping)}")
        if connection and (shaping or response or self.headers or self.content_type):
            raise ValueError(f"{connection[0]} sends no response: it takes no response options")
        if self.malformed and self.body is not None:
            raise ValueError("malformed makes its own body: do not pass body")
        if self.retry_after is not None and self.status is None:
            raise ValueError("retry_after needs a status")
        if self.refuse and self.after:
            raise ValueError("a refused connection never reaches the server: after=True is invalid")
        if not (connection or shaping or response or self.headers or self.latency):
            raise ValueError("this fault does nothing: give a status, a body, a kind or a latency")

    @property
    def replaces_answer(self) -> bool:
        """Whether the fault replaces the emulator's answer (rather than only delaying it).

        Returns:
            False for a fault that only adds latency or headers, True otherwise.
        """
        return bool(
            self.drop
            or self.refuse
            or self.timeout
            or self.truncate
            or self.malformed
            or self.status is not None
            or self.body is not None
        )


@dataclass(frozen=True)
class FaultRule:
    """A pending fault and the requests it is waiting for (see ``Emulator.pending_faults``).

    Attributes:
        fault: What goes wrong.
        method: The HTTP verb it matches (upper case), or None for any verb.
        path: The regular expression searched in the decoded request path, or None for any path.
        remaining: How many more matching requests it applies to.
    """

    fault: Fault
    method: str | None
    path: str | None
    remaining: int

    def matches(self, method: str, path: str) -> bool:
        """Tell whether a request is one this rule applies to.

        Args:
            method: The request's verb, upper case.
            path: The request's decoded path.

        Returns:
            True when both the verb and the path match.
        """
        if self.method is not None and self.method != method:
            return False
        return self.path is None or re.search(self.path, path) is not None


class FaultQueue:
    """The pending fault rules, tried in the order they were added. Not thread-safe by itself."""

    __slots__ = ("_rules",)

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []

    def add(self, fault: Fault, method: str | None, path: str | None, times: int) -> None:
        """Add a rule.

        Args:
            fault: What goes wrong.
            method: The verb to match (any when None).
            path: A regular expression searched in the decoded path (any when None).
            times: How many matching requests it applies to (>= 1).

        Raises:
            ValueError: If ``times`` < 1.
            re.error: If ``path`` is not a valid regular expression.
        """
        if times < 1:
            raise ValueError(f"times must be >= 1, got {times!r}")
        if path is not None:
            re.compile(path)
        method = method.upper() if method else None
        self._rules.append(FaultRule(fault=fault, method=method, path=path, remaining=times))

    def take(self, method: str, path: str) -> Fault | None:
        """Spend one use of the first rule that matches a request.

        Args:
            method: The request's verb, upper case.
            path: Its decoded path.

        Returns:
            The fault, or None when no rule matches.
        """
        for position, rule in enumerate(self._rules):
            if rule.matches(method, path):
                if rule.remaining > 1:
                    self._rules[position] = replace(rule, remaining=rule.remaining - 1)
                else:
                    del self._rules[position]
                return rule.fault
        return None

    def clear(self) -> None:
        """Forget every rule."""
        self._rules.clear()

    def snapshot(self) -> list[FaultRule]:
        """Give the pending rules.

        Returns:
            A copy, in the order they will be tried.
        """
        return list(self._rules)

    def __len__(self) -> int:
        return len(self._rules)


_NO_BODY = frozenset({*range(100, 200), 204, 304})
"""Statuses whose answers carry no body (RFC 9110); an injected one is sent without."""


def apply_fault(fault: Fault, answer: EmulatorResponse | None, request_id: str) -> EmulatorResponse:
    """Turn a fault (and, for ``after`` faults, the real answer) into what to send.

    Args:
        fault: The fault.
        answer: The emulator's own answer, or None when the request was not acted on.
        request_id: The ``x-request-id`` of the request.

    Returns:
        The answer to deliver.
    """
    delay = fault.latency
    if fault.refuse:
        return EmulatorResponse(status=0, action="refuse", delay=delay)
    if fault.drop:
        return EmulatorResponse(status=0, action="drop", delay=delay)
    if fault.timeout:
        return EmulatorResponse(status=0, action="timeout", delay=delay)
    if fault.status is not None or fault.body is not None:
        status = fault.status if fault.status is not None else 200
        if fault.body is not None:
            body = fault.body
        elif status in _NO_BODY:
            body = b""  # HTTP forbids one: a body would be read as the next answer
        else:
            body = json.dumps(error_payload(status, f"injected fault: {status}")).encode()
        headers = {
            "Content-Type": fault.content_type or "application/json",
            "x-request-id": request_id,
        }
        if fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
    elif answer is not None:
        status, body, headers = answer.status, answer.body, dict(answer.headers)
    else:
        status, body = 200, _PLACEHOLDER
        headers = {"Content-Type": "application/json", "x-request-id": request_id}
    if fault.content_type is not None:
        headers = merge_headers(headers, {"Content-Type": fault.content_type})
    action: Literal["respond", "truncate"] = "respond"
    declared = len(body)
    if fault.malformed:
        status = fault.status if fault.status is not None else 200
        # A proper prefix of a JSON object or array is never valid JSON.
        body = body[: len(body) // 2] if len(body) >= 2 and body[:1] in b"{[" else b'{"status": '
        declared = len(body)
    elif fault.truncate:
        if not body:
            body = _PLACEHOLDER
        declared = len(body)
        body = body[: len(body) // 2]
        action = "truncate"
    if status not in _NO_BODY:
        headers = merge_headers(headers, {"Content-Length": str(declared)})
    if fault.headers:
        headers = merge_headers(headers, fault.headers)
    return EmulatorResponse(status=status, headers=headers, body=body, action=action, delay=delay)
