"""Every Python example the site shows runs here, against the bundled emulator.

Each example is a file in ``examples/``, included in the pages with snippets:
``test_no_guide_has_inline_python`` makes sure no page carries Python that is not such an
include, ``test_every_included_example_is_run_here`` that every function a page shows is called
by a test of this module, and those tests check what the examples did. The README's example runs
here too, on a client of the emulator.

The docstrings are checked in test_docstrings.py, the site's build in test_site.py, the rules the
pages state in test_docs_match.py.
"""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

import abeja_notebooks
from abeja_notebooks import (
    AsyncClient,
    Client,
    Notebook,
    NotebookStatus,
    RetryPolicy,
    ServiceUnavailable,
)
from abeja_notebooks.testing import (
    DEFAULT_ORGANIZATION_ID,
    Emulator,
    EmulatorServer,
    ManualClock,
    RecordedRequest,
)
from abeja_notebooks.testing.pytest_plugin import TEST_TOKEN
from examples import (
    first_script,
    guide_async,
    guide_configuration,
    guide_errors,
    guide_http_details,
    guide_logging,
    guide_logs,
    guide_notebooks,
    guide_pagination,
    guide_platform_notebook,
    guide_retries,
    guide_testing,
    guide_waiting,
    migration,
)
from tests.abejacli import DEFAULT_TOKEN, DEFAULT_USER, STAGING_ORG
from tests.support import SaveConfig, basic, pretty

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
PUBLIC_MODULES = ("abeja_notebooks", "abeja_notebooks.testing")

# --- the pages -------------------------------------------------------------------------------

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)[^\n]*$")


def _code_blocks(text: str) -> Iterator[tuple[str, list[str]]]:
    """Yield ``(language, lines)`` for every fenced code block of a Markdown page."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence = opening["fence"]
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        yield opening["lang"].lower(), body
        i += 1


def _pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def test_no_guide_has_inline_python() -> None:
    """Python on a page is always an included example file (which the tests below run)."""
    inline: list[str] = []
    for page in _pages():
        for lang, body in _code_blocks(page.read_text()):
            if lang not in ("python", "py", "pycon"):
                continue
            code = [line for line in body if line.strip()]
            if not code or not all(line.strip().startswith("--8<--") for line in code):
                inline.append(f"{page.relative_to(ROOT)}: {code[:1]}")
    assert inline == []


def _includes() -> set[tuple[str, str | None]]:
    """Every ``(file, section)`` a page includes (``None``: the whole file)."""
    included: set[tuple[str, str | None]] = set()
    for page in _pages():
        for target in re.findall(r'--8<--\s+"([^"]+)"', page.read_text()):
            path, _, section = target.partition(":")
            included.add((path, section or None))
    return included


def _functions_shown(path: str, section: str | None) -> set[str]:
    """The names of the top-level functions an included file, or one of its sections, shows."""
    source = (ROOT / path).read_text()
    lines = source.splitlines()
    first, last = 1, len(lines)
    if section is not None:
        first = lines.index(f"# --8<-- [start:{section}]") + 1
        last = lines.index(f"# --8<-- [end:{section}]") + 1
    return {
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and first <= node.lineno <= last
    }


# --- the examples the pages include ----------------------------------------------------------


def _imported_examples() -> set[str]:
    tree = ast.parse(Path(__file__).read_text())
    return {
        f"examples/{alias.name}.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "examples"
        for alias in node.names
    }


def _run_here(path: str) -> set[str]:
    """The functions of an example this module calls or collects, and those they call."""
    here = Path(__file__).read_text()
    module = Path(path).stem
    tree = ast.parse((ROOT / path).read_text())
    functions = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    run = {name for name in functions if f"{module}.{name}" in here}
    for name in list(run):
        for node in ast.walk(functions[name]):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                run.add(node.func.id)
    return run


def test_every_included_example_is_run_here() -> None:
    """Each function a page shows is called here (or by a test of its guide collected here)."""
    quickstart = "examples/quickstart.py"  # run as a script by tests/docs/test_scripts.py
    imported = _imported_examples()
    not_run: list[str] = []
    for path, section in sorted(_includes(), key=str):
        if not path.endswith(".py") or path == quickstart:
            continue
        assert path in imported, f"{path} is shown in the docs but not imported here"
        not_run.extend(
            f"{path}:{section}: {function}"
            for function in sorted(_functions_shown(path, section) - _run_here(path))
        )
    assert not_run == []


@pytest.fixture
def platform_env(
    monkeypatch: pytest.MonkeyPatch, notebook_emulator_server: EmulatorServer
) -> EmulatorServer:
    """The environment a script reads, pointing at the emulator server."""
    monkeypatch.setenv("ABEJA_API_URL", notebook_emulator_server.base_url)
    monkeypatch.setenv("ABEJA_ORGANIZATION_ID", DEFAULT_ORGANIZATION_ID)
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", TEST_TOKEN)
    return notebook_emulator_server


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def _query(request: RecordedRequest) -> tuple[int, int]:
    return int(request.query["offset"][0]), int(request.query["limit"][0])


def test_the_readme_example_runs(
    monkeypatch: pytest.MonkeyPatch,
    notebook_client: Client,
    notebook_emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The README's example, with ``Client()`` standing for a client of the emulator."""
    blocks = _code_blocks((ROOT / "README.md").read_text())
    (code,) = ["\n".join(body) for lang, body in blocks if lang == "python"]
    monkeypatch.setattr(abeja_notebooks, "Client", lambda: notebook_client)

    exec(compile(code, "README.md", "exec"), {})

    (nb,) = notebook_emulator.notebooks()
    assert (nb["status"], nb["instance_type"]) == ("Stopped", "cpu-4")
    assert any("heartbeat" in line for line in _lines(capsys))


def test_first_script_lists_the_notebooks_of_the_environment(
    platform_env: EmulatorServer,
    notebook_emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = notebook_emulator.seed(2, status="Running")

    first_script.main("train-resnet")

    lines = _lines(capsys)
    assert [line.split()[0] for line in lines] == ids
    assert lines[0].split()[1:] == ["notebook-1", "Running", "cpu-1", "test@example.com"]


# notebooks guide


def test_notebooks_create_and_change(
    notebook_client: Client, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = guide_notebooks.create_and_wait(notebook_client)

    assert _lines(capsys)[0] == "1900000000001 notebook-1 Pending"  # as the comment says
    assert nb.status is NotebookStatus.RUNNING

    guide_notebooks.change_it(nb)

    assert _lines(capsys)[:2] == ["cpu-4", "Stopped"]
    assert (nb.instance_type, nb.status) == ("cpu-4", NotebookStatus.RUNNING)
    assert notebook_emulator.notebook(nb.id)["status"] == "Running"


def test_notebooks_by_id_through_the_manager(
    notebook_client: Client, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    (notebook_id,) = notebook_emulator.seed(1, status="Running")

    guide_notebooks.by_id(notebook_client, notebook_id)

    assert notebook_emulator.notebooks() == []
    assert _lines(capsys) == ["notebook-1 deleted"]


def test_notebooks_in_another_organization(
    notebook_client: Client, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook_emulator.add_job_definition("train-resnet", "1420000000000")
    ids = notebook_emulator.seed(2, organization_id="1420000000000")

    guide_notebooks.in_another_organization(notebook_client, "1420000000000")

    assert _lines(capsys) == [
        "2 notebooks in 1420000000000",
        *(f"1420000000000 {notebook_id}" for notebook_id in ids),
    ]


def test_notebooks_as_data(
    notebook_client: Client, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook_emulator.seed(1)
    (nb,) = notebook_client.notebooks.list("train-resnet")

    copy = guide_notebooks.as_data(nb)

    out = capsys.readouterr().out
    assert out.startswith("True\n{\n")
    assert "\nTrue\n" in out
    assert "was built by hand" in out
    assert copy.organization_id is None
    assert len(notebook_emulator.requests) == 1  # the hand-built copy sent nothing


def test_notebooks_status_checks(notebook_client: Client, notebook_emulator: Emulator) -> None:
    running, stopped, failed = (
        notebook_emulator.seed(1, status=status)[0] for status in ("Running", "Stopped", "Failed")
    )
    notebook_emulator.fail(failed, "out of memory")
    get = notebook_client.notebooks.get
    unknown = Notebook.model_validate(
        {**get("train-resnet", stopped).to_dict(), "status": "Archived"}
    )

    assert guide_notebooks.describe_status(get("train-resnet", running)) == "running"
    assert guide_notebooks.describe_status(get("train-resnet", stopped)) == "stopped"
    assert guide_notebooks.describe_status(get("train-resnet", failed)) == "failed: out of memory"
    assert guide_notebooks.describe_status(unknown) == "new status Archived"


# pagination guide


def test_pagination_walks_everything_a_hundred_at_a_time(
    notebook_client: Client, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = notebook_emulator.seed(150)

    guide_pagination.print_every_notebook(notebook_client)

    assert [line.split()[0] for line in _lines(capsys)] == ids
    assert [_query(r) for r in notebook_emulator.requests] == [(0, 100), (100, 100)]


def test_pagination_page_size_and_max_items(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    ids = notebook_emulator.seed(130)

    assert guide_pagination.first_120(notebook_client) == ids[:120]
    assert [_query(r) for r in notebook_emulator.requests] == [(0, 50), (50, 50), (100, 20)]


def test_pagination_page_by_page(
    notebook_client: Client, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook_emulator.seed(60)

    guide_pagination.page_by_page(notebook_client)

    assert _lines(capsys) == [
        "notebooks 0-24 of 60: 25 on this page",
        "notebooks 25-49 of 60: 25 on this page",
        "notebooks 50-59 of 60: 10 on this page",
    ]


def test_pagination_one_page(
    notebook_client: Client, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = notebook_emulator.seed(35)

    entries = guide_pagination.third_page_of_ten(notebook_client)

    assert [nb.id for nb in entries] == ids[20:30]
    assert _lines(capsys) == ["35 20 10 False"]


def test_pagination_collect_first_then_change(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    notebook_emulator.seed(130, status="Stopped")
    running = notebook_emulator.seed(20, status="Running")

    assert guide_pagination.delete_stopped_notebooks(notebook_client) == 130
    assert [nb["training_notebook_id"] for nb in notebook_emulator.notebooks()] == running


def test_pagination_deleting_during_the_walk_skips_notebooks_as_the_guide_warns(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    notebook_emulator.seed(150, status="Stopped")

    for nb in notebook_client.notebooks.list("train-resnet"):  # what the guide says not to do
        nb.delete()

    assert len(notebook_emulator.notebooks()) == 50  # the second page started past them


def test_pagination_distinct_notebooks(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    ids = notebook_emulator.seed(5)

    assert list(guide_pagination.distinct_notebooks(notebook_client)) == ids


# logs guide


@pytest.fixture
def running_notebook(notebook_client: Client, notebook_emulator: Emulator) -> Notebook:
    """A notebook that has been running for a minute (about 120 log lines)."""
    nb = notebook_client.notebooks.create("train-resnet")
    nb.wait_until("Running")
    notebook_emulator.advance(60)
    return nb


def _messages(emulator: Emulator, notebook_id: str) -> list[str]:
    return [event["message"] for event in emulator.log_events(notebook_id)]


def test_logs_recent(
    running_notebook: Notebook, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    guide_logs.print_recent(running_notebook)

    lines = _lines(capsys)
    assert [line.split(" ", 1)[1] for line in lines] == _messages(
        notebook_emulator, running_notebook.id
    )[-len(lines) :]
    assert len(lines) == notebook_emulator.log_page_size


def test_logs_follow_yields_each_new_line_once_until_the_timeout(
    running_notebook: Notebook, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    count = guide_logs.follow(running_notebook)

    lines = _lines(capsys)
    assert count == len(lines) > 100
    messages = _messages(notebook_emulator, running_notebook.id)
    start = messages.index(lines[0])
    assert lines == messages[start : start + count]  # in order, none missed, none twice


def test_logs_history_reads_from_the_first_line(
    running_notebook: Notebook, notebook_emulator: Emulator
) -> None:
    messages = guide_logs.whole_log(running_notebook)

    assert messages == _messages(notebook_emulator, running_notebook.id)
    assert messages[0].startswith("starting notebook server")
    assert len(messages) > notebook_emulator.log_page_size


def test_logs_by_hand_with_tokens(
    running_notebook: Notebook, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    guide_logs.by_hand(running_notebook)

    assert _lines(capsys) == [
        f"{notebook_emulator.log_page_size} events before these",
        "nothing new yet: ask again later with the same token",
    ]


def _text_blocks(page: Path, heading: str) -> list[list[str]]:
    """The ``text`` blocks of one section of a page, in order."""
    section = page.read_text().split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    return [body for lang, body in _code_blocks(section) if lang == "text"]


def test_jupyter_shows_what_the_notebooks_guide_says(
    notebook_client: Client, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook_emulator.seed(3, status="Running")
    notebook_emulator.clear_requests()

    page = guide_notebooks.browse(notebook_client)

    line, page_lines, _ = _text_blocks(
        DOCS / "guides" / "notebooks.md", "## In Jupyter and IPython"
    )
    assert _lines(capsys) == line
    assert pretty(page).splitlines() == page_lines
    assert len(notebook_emulator.requests) == 1  # the list_page: showing sends nothing


# waiting guide


def test_waiting_for_running(
    notebook_client: Client, notebook_clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = notebook_client.notebooks.create("train-resnet")

    guide_waiting.wait_for_it(nb)

    assert _lines(capsys) == ["Running"]
    assert notebook_clock.sleeps == [2.0]


def test_waiting_for_any_of_several_statuses(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    (notebook_id,) = notebook_emulator.seed(1, status="Running")
    notebook_emulator.fail(notebook_id)

    nb = guide_waiting.wait_until_it_ends(notebook_client, notebook_id)

    assert nb.status is NotebookStatus.FAILED


def test_waiting_handles_failure_and_timeout(
    notebook_client: Client, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert guide_waiting.ready(notebook_client.notebooks.create("train-resnet"))

    failing = notebook_client.notebooks.create("train-resnet")
    notebook_emulator.fail(failing.id, "out of memory")
    assert not guide_waiting.ready(failing)

    notebook_emulator.start_delay = 3600
    slow = notebook_client.notebooks.create("train-resnet")
    assert not guide_waiting.ready(slow)

    assert _lines(capsys) == ["failed: out of memory", "still Pending after five minutes"]
    assert slow.status is NotebookStatus.PENDING  # updated in place, even on a timeout


def test_waiting_starts_a_notebook_that_nobody_starts(
    notebook_client: Client,
    notebook_emulator: Emulator,
    notebook_clock: ManualClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (notebook_id,) = notebook_emulator.seed(1, status="Stopped")
    nb = notebook_client.notebooks.get("train-resnet", notebook_id)
    start = notebook_clock.now()

    assert guide_waiting.running(nb) is nb

    assert nb.status is NotebookStatus.RUNNING
    assert _lines(capsys) == ["Stopped - starting it"]
    assert notebook_clock.now() - start == 30 + 2  # the grace, then one poll after the start


# errors guide


def test_errors_each_branch(notebook_client: Client, notebook_emulator: Emulator) -> None:
    (notebook_id,) = notebook_emulator.seed(1)
    describe = guide_errors.describe

    assert describe(notebook_client, notebook_id) == "notebook-1 is Stopped"
    assert describe(notebook_client, "1234") == "no such notebook"
    notebook_emulator.inject(status=500, times=4)
    assert describe(notebook_client, notebook_id).startswith(
        "API error 500 internal_server_error: injected fault: 500 (request id "
    )
    notebook_emulator.inject(drop=True, times=4)
    assert describe(notebook_client, notebook_id).startswith("cannot reach the API: get notebook")


def test_errors_conflict(
    notebook_client: Client, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    running, stopped = (notebook_emulator.seed(1, status=s)[0] for s in ("Running", "Stopped"))
    get = notebook_client.notebooks.get

    assert not guide_errors.start_unless_running(get("train-resnet", running))
    assert guide_errors.start_unless_running(get("train-resnet", stopped))
    assert _lines(capsys) == [f"not started: notebook {running} is already Running"]


def test_errors_bad_arguments_send_nothing(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    refused = guide_errors.create_checked(notebook_client, "jupyter")
    created = guide_errors.create_checked(notebook_client, "lab")

    assert refused == "not sent: notebook_type must be 'notebook' or 'lab', got 'jupyter'"
    assert [r.method for r in notebook_emulator.requests] == ["POST"]
    assert notebook_emulator.notebook(created)["training_notebook_id"] == created


# HTTP details guide


def test_http_details_of_a_success(
    notebook_client: Client, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    (notebook_id,) = notebook_emulator.seed(1)

    nb = guide_http_details.read_with_details(notebook_client, notebook_id)

    (request,) = notebook_emulator.requests
    assert _lines(capsys) == [f"200 {request.request_id}", "application/json", "0 0:00:00"]
    assert nb.to_dict() == notebook_emulator.notebook(notebook_id)


def test_http_details_of_a_failure_and_a_success(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    stopped, running = (notebook_emulator.seed(1, status=s)[0] for s in ("Stopped", "Running"))
    stop_or_report = guide_http_details.stop_or_report

    assert stop_or_report(notebook_client, stopped) == (
        f"409, request id {notebook_emulator.requests[-1].request_id}"
    )
    assert stop_or_report(notebook_client, running) == (
        f"200, request id {notebook_emulator.requests[-1].request_id}"
    )


def test_http_details_of_a_start_answered_with_a_notebook_or_a_message(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    first, second = notebook_emulator.seed(2, status="Stopped")
    describe = guide_http_details.start_and_describe

    assert describe(notebook_client, first) == (
        f"{first} is Pending (request id {notebook_emulator.requests[-1].request_id})"
    )
    notebook_emulator.action_response = "message"
    assert describe(notebook_client, second) == (
        f"{second} started (request id {notebook_emulator.requests[-1].request_id})"
    )
    assert len(notebook_emulator.requests) == 2  # no follow-up read


async def test_http_details_async(async_client: AsyncClient, notebook_emulator: Emulator) -> None:
    (notebook_id,) = notebook_emulator.seed(1)

    described = await guide_http_details.read_with_details_async(async_client, notebook_id)

    request_id = notebook_emulator.requests[-1].request_id
    assert described == f"{notebook_id} Stopped (request id {request_id})"


def test_http_details_of_a_listing_in_the_debug_log(
    notebook_client: Client, notebook_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    notebook_emulator.seed(3)
    guide_http_details.log_every_request()

    list(notebook_client.notebooks.list("train-resnet"))

    (request,) = notebook_emulator.requests
    answers = [r.getMessage() for r in caplog.records if " -> " in r.getMessage()]
    assert answers == [
        f"GET {notebook_client.settings.base_url}{request.path} -> 200 "
        f"(request id {request.request_id})"
    ]


def test_http_details_of_a_listing_from_an_event_hook(
    platform_env: EmulatorServer, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = notebook_emulator.seed(120)

    request_ids = guide_http_details.request_ids_of_a_listing()

    assert request_ids == [r.request_id for r in notebook_emulator.requests]
    assert len(request_ids) == 3
    assert _lines(capsys) == ids


# retries and timeouts guide


def test_retries_options(platform_env: EmulatorServer) -> None:
    with guide_retries.patient_client() as client:
        settings = client.settings

    assert (settings.timeout.connect, settings.timeout.read) == (5.0, 30.0)
    assert (settings.max_retries, settings.deadline) == (5, 300.0)
    assert settings.retry_policy == RetryPolicy(
        initial_delay=1.0, max_delay=30.0, jitter=0.25, max_retry_after=120.0
    )


def test_retries_with_options_for_one_call(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    notebook_emulator.seed(3)
    assert guide_retries.quick_check(notebook_client) == 3

    notebook_emulator.clear_requests()
    notebook_emulator.inject(status=503)
    with pytest.raises(ServiceUnavailable):
        guide_retries.quick_check(notebook_client)
    assert len(notebook_emulator.requests) == 1  # max_retries=0


# async guide


@pytest.fixture
async def async_client(
    notebook_emulator_server: EmulatorServer, notebook_clock: ManualClock
) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(
        base_url=notebook_emulator_server.base_url,
        organization_id=DEFAULT_ORGANIZATION_ID,
        auth_token=TEST_TOKEN,
        retry_policy=RetryPolicy(jitter=0.0),
        clock=notebook_clock,
    ) as client:
        yield client


async def test_async_lifecycle(
    async_client: AsyncClient, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = await guide_async.lifecycle(async_client)

    assert (nb.status, nb.instance_type) == (NotebookStatus.STOPPED, "cpu-4")
    assert notebook_emulator.notebook(nb.id)["status"] == "Stopped"
    assert sum("heartbeat" in line for line in _lines(capsys)) > 50


async def test_async_concurrent_reads(
    async_client: AsyncClient, notebook_emulator: Emulator
) -> None:
    ids = notebook_emulator.seed(20)

    notebooks = await guide_async.read_many(async_client, ids)

    assert [nb.id for nb in notebooks] == ids


async def test_async_main_reads_the_environment(
    platform_env: EmulatorServer,
    notebook_emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = notebook_emulator.seed(3)

    await guide_async.main()

    assert [line.split()[0] for line in _lines(capsys)] == ids


# logging guide


def test_logging_shows_retries(
    notebook_client: Client, notebook_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("abeja_notebooks")
    root = logging.getLogger()
    level, handlers = logger.level, list(root.handlers)
    try:
        guide_logging.show_retries()
        assert logger.getEffectiveLevel() == logging.INFO
    finally:
        logger.setLevel(level)
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)


def test_logging_an_error_with_its_request_id(
    notebook_client: Client, notebook_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    (notebook_id,) = notebook_emulator.seed(1, status="Stopped")

    assert not guide_logging.stop_and_report(notebook_client, notebook_id)

    (record,) = [r for r in caplog.records if r.name == guide_logging.__name__]
    message = record.getMessage()
    assert message.startswith(
        f"could not stop {notebook_id}: notebook {notebook_id} is not running: 409 Conflict for "
        "POST http://"
    )
    assert f"(request id {notebook_emulator.requests[-1].request_id})" in message


# configuration page


def test_configuration_from_the_environment(platform_env: EmulatorServer) -> None:
    with guide_configuration.from_the_environment() as client:
        assert client.organization_id == DEFAULT_ORGANIZATION_ID
        assert client.settings.base_url == platform_env.base_url
        assert client.settings.headers["Authorization"] == f"Bearer {TEST_TOKEN}"


def test_configuration_arguments_beat_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ABEJA_ORGANIZATION_ID", "1999999999999")
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", "from-the-environment")
    monkeypatch.setenv("ABEJA_SDK_CONNECTION_TIMEOUT", "5")
    monkeypatch.setenv("ABEJA_SDK_MAX_RETRY_COUNT", "0")

    with guide_configuration.explicit("explicit-token") as client:
        settings = client.settings
        guide_configuration.show(client)

    assert settings.organization_id == "1410000000000"
    assert settings.headers["Authorization"] == "Bearer explicit-token"
    assert (settings.timeout.read, settings.max_retries) == (60.0, 5)
    shown, details = _lines(capsys)
    assert shown == "Client(base_url='https://api.abeja.io', organization_id='1410000000000')"
    assert "secret=***" in details
    assert "explicit-token" not in details


def test_configuration_other_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", "from-the-environment")

    with guide_configuration.as_a_user("1122334455660", "pat") as user:
        assert user.settings.credentials is not None
        assert user.settings.credentials.identity == "user-1122334455660"
    with guide_configuration.as_a_datasource("42", "secret") as datasource:
        assert datasource.settings.credentials is not None
        assert datasource.settings.credentials.identity == "datasource-42"


def test_configuration_from_the_saved_file(
    save_config: SaveConfig, notebook_emulator_server: EmulatorServer, notebook_emulator: Emulator
) -> None:
    save_config("default_and_staging.json", {"abeja-api-url": notebook_emulator_server.base_url})

    with guide_configuration.from_the_saved_configuration() as client:
        client.notebooks.list_page("train-resnet")

    (request,) = notebook_emulator.requests
    assert request.path.startswith(f"/organizations/{DEFAULT_ORGANIZATION_ID}/")
    assert request.headers["authorization"] == basic(f"user-{DEFAULT_USER}", DEFAULT_TOKEN)


def test_configuration_from_a_named_configuration(
    save_config: SaveConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_config("default_and_staging.json")
    monkeypatch.setenv("ABEJA_ORGANIZATION_ID", "1999999999999")

    with guide_configuration.from_a_named_configuration("staging") as client:
        assert (client.organization_id, client.settings.configuration) == (STAGING_ORG, "staging")


# running inside a platform notebook


@pytest.fixture
def in_a_notebook(
    platform_env: EmulatorServer, notebook_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The variables the platform sets in a notebook, for a running notebook of the emulator."""
    (nid,) = notebook_emulator.seed(1, status="Running")
    monkeypatch.setenv("TRAINING_JOB_DEFINITION_NAME", "train-resnet")
    monkeypatch.setenv("TRAINING_NOTEBOOK_ID", nid)
    return nid


def test_platform_notebook_a_client_needs_no_argument(in_a_notebook: str) -> None:
    with guide_platform_notebook.client_in_a_notebook() as client:
        assert client.organization_id == DEFAULT_ORGANIZATION_ID
        assert client.notebooks.current().id == in_a_notebook


def test_platform_notebook_stops_itself_when_its_work_is_done(
    in_a_notebook: str, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    instance_type = notebook_emulator.notebook(in_a_notebook)["instance_type"]

    guide_platform_notebook.train_then_stop(epochs=2)

    assert _lines(capsys) == [
        f"training in notebook-1 ({in_a_notebook}) on {instance_type}",
        "epoch 1: loss 0.500",
        "epoch 2: loss 0.250",
        "done, loss 0.250: stopping notebook-1",
    ]
    assert notebook_emulator.notebook(in_a_notebook)["status"] == "Stopped"
    last = notebook_emulator.requests[-1]
    assert (last.method, last.path.rsplit("/", 2)[1:]) == ("POST", [in_a_notebook, "stop"])


def test_platform_notebook_code_that_also_runs_elsewhere(
    in_a_notebook: str, notebook_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = guide_platform_notebook.where_am_i(notebook_client)
    monkeypatch.delenv("TRAINING_NOTEBOOK_ID")
    outside = guide_platform_notebook.where_am_i(notebook_client)

    assert inside == f"in notebook notebook-1 ({in_a_notebook}) of train-resnet"
    assert outside == "not in a platform notebook"


# migration guide


def test_migration_with_the_api_client(
    platform_env: EmulatorServer,
    notebook_emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    migration.with_the_api_client(DEFAULT_ORGANIZATION_ID, "train-resnet")

    lines = _lines(capsys)
    assert lines[:2] == ["notebook-1 created by test@example.com", "1 ['notebook-1']"]
    assert lines[-2] == "{'value': {'message': '1900000000001 deleted'}}"
    assert lines[-1] == "404 not_found"
    assert notebook_emulator.notebooks() == []


def test_migration_with_the_client(
    platform_env: EmulatorServer,
    notebook_emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    migration.with_the_client("train-resnet")

    lines = _lines(capsys)
    assert lines[0] == "1900000000001 ['notebook-1']"
    assert lines[-1] == "404 not_found"
    assert notebook_emulator.notebooks() == []


# testing guide: its tests are collected here, fixtures and all


test_guide_stops_only_the_running_notebooks = guide_testing.test_stops_only_the_running_notebooks
test_guide_a_new_notebook_runs_after_the_start_delay = (
    guide_testing.test_a_new_notebook_runs_after_the_start_delay
)
test_guide_a_busy_api_is_retried = guide_testing.test_a_busy_api_is_retried
test_guide_a_lost_answer_to_a_stop_is_not_an_error = (
    guide_testing.test_a_lost_answer_to_a_stop_is_not_an_error
)
test_guide_what_goes_over_the_wire = guide_testing.test_what_goes_over_the_wire
test_guide_without_a_socket = guide_testing.test_without_a_socket
test_guide_async_code = guide_testing.test_async_code


def test_every_test_of_the_testing_guide_is_collected_here() -> None:
    in_guide = {name for name in vars(guide_testing) if name.startswith("test_")}
    here = {
        value.__name__
        for name, value in globals().items()
        if name.startswith("test_guide_") and callable(value)
    }

    assert in_guide == here
