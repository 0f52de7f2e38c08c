"""No token, personal access token or Basic credential appears anywhere a user could see it.

A full session runs with ``ABEJA_NOTEBOOKS_LOG=debug`` and every log record of every logger
captured (httpx and httpcore included): successes, retries, every error status, connection
failures, timeouts, invalid answers, waits that fail, a hand-built notebook, bad arguments,
and a server that echoes the request's credentials back in its error pages. Then every log
record, the debug handler's output, and each error's ``str``, ``repr``, ``args``, pickled form
and formatted traceback, and the ``repr`` (and pickled form) of every client, setting and
model seen, are searched for the secrets. The secrets are distinctive strings, so a partial
leak ("DO-NOT-LEAK") is caught too.

Decision: the SDK blanks its own credentials (``***``) out of whatever a server sends back
before it puts that text into an error.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import pickle
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from abeja_notebooks import (
    AbejaError,
    Client,
    HttpError,
    Notebook,
    NotebookPage,
    ResponseValidationError,
    _config,  # pyright: ignore[reportPrivateUsage] -- resets the once-per-process log setup
)
from abeja_notebooks.testing import Emulator, ManualClock
from tests.dual import blocking_view, unwrap
from tests.support import JOB, MakeClient

TOKEN = "tok-7Hq2-DO-NOT-LEAK-bearer"
USER_ID = "1122334455667"
PAT = "pat-9Zx4-DO-NOT-LEAK-personal"
BASIC = base64.b64encode(f"user-{USER_ID}:{PAT}".encode()).decode()
FORBIDDEN = (TOKEN, PAT, BASIC, "DO-NOT-LEAK")

CREDENTIALS: dict[str, dict[str, Any]] = {
    "bearer token": {"auth_token": TOKEN},
    "user and personal access token": {
        "auth_token": None,
        "user_id": USER_ID,
        "personal_access_token": PAT,
    },
}


def leaks(text: str | bytes) -> list[str]:
    """The secrets found in ``text``."""
    data = text if isinstance(text, str) else text.decode("utf-8", "replace")
    return [secret for secret in FORBIDDEN if secret in data]


@pytest.fixture
def debug_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """``ABEJA_NOTEBOOKS_LOG=debug`` in effect, its handler writing into the returned buffer."""
    logger = logging.getLogger("abeja_notebooks")
    handlers, level = list(logger.handlers), logger.level
    monkeypatch.setenv("ABEJA_NOTEBOOKS_LOG", "debug")
    monkeypatch.setattr(_config, "_log_configured", False)
    _config.configure_logging_from_env()
    added = [h for h in logger.handlers if h not in handlers]
    assert len(added) == 1
    handler = added[0]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    handler.setStream(stream)  # pyright: ignore[reportUnknownMemberType] -- StreamHandler[Any]
    yield stream
    for added_handler in added:
        logger.removeHandler(added_handler)
    logger.setLevel(level)


def echo(client: Client) -> str:
    """An error page from a proxy that prints what the request carried."""
    credentials = client.settings.credentials
    assert credentials is not None
    return (
        "<html><body><h1>Debug</h1><pre>GET /organizations HTTP/1.1\n"
        f"Authorization: {credentials.authorization}\n"
        f"X-Secret: {credentials.secret}</pre></body></html>"
    )


def session(
    client: Client, emulator: Emulator, clock: ManualClock, notebook_class: type[Notebook]
) -> tuple[list[BaseException], list[object]]:
    """Use every part of the SDK; return the errors raised and the objects seen."""
    errors: list[BaseException] = []
    seen: list[object] = []

    def expect(call: Callable[[], object]) -> None:
        try:
            call()
        except Exception as exc:
            errors.append(exc)
        else:
            raise AssertionError("expected an error")

    nb = client.notebooks.create(JOB, instance_type="cpu-1", notebook_type="lab")
    clock.advance(5)
    seen += [client, client.notebooks, client.settings, client.settings.credentials]
    seen += [client.with_options(timeout=5, deadline=60), nb, nb.refresh()]
    seen += [client.notebooks.list_page(JOB), client.notebooks.list(JOB)]
    seen += list(client.notebooks.list(JOB, page_size=1))
    seen += [client.notebooks.recent_logs(JOB, nb.id), *nb.logs()]
    seen += [nb.update(instance_type="cpu-2"), nb.stop(), nb.start()]
    emulator.inject(status=503, times=2)
    seen.append(client.notebooks.get(JOB, nb.id))  # retried: INFO records

    quiet = client.with_options(max_retries=0)
    for status in (400, 401, 403, 404, 405, 409, 422, 429, 500, 502, 503, 504, 418):
        emulator.inject(status=status)
        expect(lambda: quiet.notebooks.get(JOB, nb.id))
    page = echo(client)
    emulator.inject(status=401, body=page.encode(), content_type="text/html")
    expect(lambda: quiet.notebooks.list_page(JOB))
    emulator.inject(status=200, body=page.encode(), content_type="text/html")
    expect(lambda: quiet.notebooks.get(JOB, nb.id))
    detail = {"error": page, "error_description": page, "error_detail": {"seen": [page]}}
    emulator.inject(status=400, body=json.dumps(detail).encode())
    expect(lambda: quiet.notebooks.create(JOB))
    emulator.inject(status=200, truncate=True, body=page.encode() + b" " * len(page))
    expect(lambda: quiet.notebooks.get(JOB, nb.id))
    emulator.inject(drop=True, times=4)
    expect(lambda: client.notebooks.get(JOB, nb.id))
    emulator.inject(timeout=True, latency=0.05)
    expect(lambda: client.with_options(timeout=0.01, max_retries=0).notebooks.get(JOB, nb.id))
    emulator.inject(malformed=True)
    expect(lambda: client.notebooks.list_page(JOB))

    emulator.start_delay = 10_000
    waiting = client.notebooks.create(JOB)
    expect(lambda: waiting.wait_until("Running", timeout=5))
    emulator.fail(waiting.id, "crashed; see the logs")
    expect(lambda: waiting.wait_until("Running", timeout=5))
    by_hand = blocking_view(nb, notebook_class.model_validate(nb.to_dict()))
    expect(by_hand.refresh)
    expect(lambda: client.notebooks.get(JOB, ""))
    expect(lambda: client.notebooks.create(JOB, notebook_type="jupyter"))  # type: ignore[arg-type]  # bad on purpose
    seen.append(by_hand)
    return errors, seen


@pytest.mark.parametrize("credentials", CREDENTIALS, ids=list(CREDENTIALS))
def test_no_secret_appears_in_logs_errors_reprs_or_pickles(
    make_client: MakeClient,
    emulator: Emulator,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
    debug_log: io.StringIO,
    credentials: str,
    variant: str,
    notebook_class: type[Notebook],
) -> None:
    client = make_client(**CREDENTIALS[credentials])
    caplog.set_level(logging.DEBUG)

    errors, seen = session(client, emulator, clock, notebook_class)

    found: dict[str, list[str]] = {}
    for i, error in enumerate(errors):
        name = f"error {i} ({type(error).__name__})"
        for form, text in (
            ("str", str(error)),
            ("repr", repr(error)),
            ("args", repr(error.args)),
            ("attributes", repr(vars(error))),
            ("pickle", pickle.dumps(error)),
            ("traceback", "".join(traceback.format_exception(error))),
        ):
            if leaks(text):
                found[f"{name} {form}"] = leaks(text)
    for i, obj in enumerate(seen):
        target: object = unwrap(obj)
        kind = type(target).__name__
        texts: list[str | bytes] = [repr(obj), str(obj)]
        if isinstance(target, BaseModel) and not isinstance(target, NotebookPage):
            texts.append(pickle.dumps(target))  # a model pickles without its client
        for text in texts:
            if leaks(text):
                found[f"object {i} ({kind})"] = leaks(text)
    for record in caplog.records:
        text = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        if leaks(text):
            found[f"log {record.name}: {record.getMessage()[:80]}"] = leaks(text)
    if leaks(debug_log.getvalue()):
        found["ABEJA_NOTEBOOKS_LOG output"] = leaks(debug_log.getvalue())

    assert found == {}
    assert len(errors) == 25
    assert {type(e).__name__ for e in errors} >= {
        "BadRequest",
        "Unauthorized",
        "APIConnectionError",
        "APITimeoutError",
        "ResponseValidationError",
        "WaitTimeout",
        "NotebookFailed",
        "UnboundNotebookError",
        "ValueError",
    }
    assert any(r.name == "abeja_notebooks" and r.levelno == logging.DEBUG for r in caplog.records)
    if variant != "async-inprocess":  # the in-process transport has no httpcore underneath
        assert any(r.name.startswith("httpcore") for r in caplog.records)
    assert "retrying GET" in debug_log.getvalue()
    assert len(emulator.requests) == 40
    sent = {r.headers["authorization"] for r in emulator.requests}
    assert sent == {client.settings.headers["Authorization"]}  # the credentials did go out


def test_an_echoed_credential_is_blanked_out_of_the_error(
    make_client: MakeClient, emulator: Emulator
) -> None:
    """What a user sees when a proxy prints the request back: the page, with ``***``."""
    client = make_client(auth_token=TOKEN)
    emulator.inject(status=502, body=echo(client).encode(), content_type="text/html")
    emulator.inject(status=200, body=echo(client).encode(), content_type="text/html")
    quiet = client.with_options(max_retries=0)

    with pytest.raises(HttpError) as status_error:
        quiet.notebooks.list_page(JOB)
    with pytest.raises(ResponseValidationError) as shape_error:
        quiet.notebooks.list_page(JOB)

    for error in (status_error.value, shape_error.value):
        assert isinstance(error, AbejaError)
        assert "Authorization: Bearer ***\nX-Secret: ***</pre>" in error.body
        assert "Authorization: Bearer ***" in str(error)
        assert leaks(error.body) == leaks(str(error)) == []
