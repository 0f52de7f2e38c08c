"""Every Python block of the pages runs here as a reader would paste it, against the emulator.

Each test opens a page (``open_page("guides/notebooks.md")``), runs its blocks in order in one
namespace, in the environment a reader's shell has (``docs_env``: the served emulator), then
checks what they printed and did; ``open_page`` fails a test that leaves a block unrun, and
``test_every_page_with_python_is_run_here`` that every page holding Python is opened by a test
of tests/docs/. The testing guide's blocks are pytest tests: tests/docs/test_testing_guide.py
collects them. Linting and type-checking the blocks: test_blocks.py.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from abeja_notebooks import (
    APIClient,
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
from tests.abejacli import DEFAULT_TOKEN, DEFAULT_USER, STAGING_ORG
from tests.support import SaveConfig, basic, pretty

from .blocks import DOCS, code_blocks, pages_with_python, run_pages_named_in
from .conftest import OpenPage

pytestmark = pytest.mark.usefixtures("docs_env")


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def _query(request: RecordedRequest) -> tuple[int, int]:
    return int(request.query["offset"][0]), int(request.query["limit"][0])


def test_every_page_with_python_is_run_here() -> None:
    tests = Path(__file__).parent.glob("test_*.py")

    assert set(pages_with_python()) - run_pages_named_in(tests) == set()


# the first pages


def test_the_readme_example_runs(
    open_page: OpenPage, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    open_page("README.md").run()

    (nb,) = notebook_emulator.notebooks()
    assert (nb["status"], nb["instance_type"]) == ("Stopped", "cpu-4")
    assert sum("heartbeat" in line for line in _lines(capsys)) > 50


def test_the_first_program_of_the_home_page_runs(
    open_page: OpenPage, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    open_page("index.md").run()

    lines = _lines(capsys)
    assert lines[0] == "1900000000001 notebook-1 Pending"  # as its comment says
    assert any(line.endswith("heartbeat 1") for line in lines)
    assert lines[-1] == "1900000000001 notebook-1 Stopped test@example.com"
    assert notebook_emulator.notebook("1900000000001")["status"] == "Stopped"


# notebooks guide


def test_notebooks_guide(
    open_page: OpenPage, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    page = open_page("guides/notebooks.md")

    page.run(3)  # create, act on it, by id through the manager
    lines = _lines(capsys)
    assert lines[0] == "1900000000001 notebook-1 Pending"  # as the comment says
    assert lines[1].startswith("Running test@example.com ")
    assert lines[2:] == ["cpu-4", "Stopped", "Running Stopped"]
    assert notebook_emulator.notebook("1900000000001")["status"] == "Stopped"

    notebook_emulator.add_job_definition("train-resnet", "1420000000000")
    ids = notebook_emulator.seed(2, organization_id="1420000000000")
    page.run(1)  # another organization
    assert _lines(capsys) == [
        "2 notebooks in 1420000000000",
        *(f"1420000000000 {notebook_id}" for notebook_id in ids),
    ]

    notebook_emulator.clear_requests()
    page.run(2)  # statuses, notebooks as data
    out = capsys.readouterr().out
    assert out.startswith("stopped\nTrue\n{\n")
    assert "\nTrue\n" in out
    assert "was built by hand" in out
    assert notebook_emulator.requests == []  # the hand-built copy sent nothing

    page.run(1)  # in Jupyter
    assert _lines(capsys) == [repr(page["page"].entries[0])]
    assert repr(page["page"].entries[0]).startswith(
        "Notebook(id='1900000000001', name='notebook-1', status='Stopped'"
    )


@pytest.mark.needs("IPython")
def test_notebooks_guide_shows_what_jupyter_shows(
    notebook_emulator: Emulator, notebook_client: Client
) -> None:
    notebook_emulator.seed(3, status="Running")
    shown = notebook_client.notebooks.list_page("train-resnet", limit=2)
    texts = [b for b in code_blocks(DOCS / "guides" / "notebooks.md") if b.language == "text"]
    one_line, page_lines = texts[0].lines, texts[1].lines

    assert [repr(shown.entries[0])] == list(one_line)
    assert pretty(shown).splitlines() == list(page_lines)


@pytest.fixture
def other_organization(notebook_emulator: Emulator) -> list[str]:
    """The organization the notebooks guide lists, with two notebooks."""
    notebook_emulator.add_job_definition("train-resnet", "1420000000000")
    return notebook_emulator.seed(2, organization_id="1420000000000")


@pytest.mark.usefixtures("other_organization")
def test_notebooks_guide_status_checks(
    open_page: OpenPage, notebook_emulator: Emulator, notebook_client: Client
) -> None:
    describe_status = open_page("guides/notebooks.md").run()["describe_status"]
    running, stopped, failed = (
        notebook_emulator.seed(1, status=status)[0] for status in ("Running", "Stopped", "Failed")
    )
    notebook_emulator.fail(failed, "out of memory")
    get = notebook_client.notebooks.get
    unknown = Notebook.model_validate(
        {**get("train-resnet", stopped).to_dict(), "status": "Archived"}
    )

    assert describe_status(get("train-resnet", running)) == "running"
    assert describe_status(get("train-resnet", stopped)) == "stopped"
    assert describe_status(get("train-resnet", failed)) == "failed: out of memory"
    assert describe_status(unknown) == "new status Archived"


# pagination guide


def test_pagination_guide(
    open_page: OpenPage, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    stopped = notebook_emulator.seed(130, status="Stopped")
    running = notebook_emulator.seed(20, status="Running")
    page = open_page("guides/pagination.md")

    page.run(1)  # walk everything
    assert [line.split()[0] for line in _lines(capsys)] == stopped + running
    assert [_query(r) for r in notebook_emulator.requests] == [(0, 100), (100, 100)]

    notebook_emulator.clear_requests()
    page.run(1)  # page_size and max_items
    assert page["first"] == stopped[:120]
    assert [_query(r) for r in notebook_emulator.requests] == [(0, 50), (50, 50), (100, 20)]

    page.run(2)  # page by page, one page
    assert _lines(capsys) == [
        *(f"notebooks {n}-{n + 24} of 150: 25 here" for n in range(0, 150, 25)),
        "150 20 10 False",
    ]

    page.run()  # collect first, then delete; count by id
    assert [nb["training_notebook_id"] for nb in notebook_emulator.notebooks()] == running
    assert list(page["seen"]) == running


def test_pagination_deleting_during_the_walk_skips_notebooks_as_the_guide_warns(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    notebook_emulator.seed(150, status="Stopped")

    for nb in notebook_client.notebooks.list("train-resnet"):  # what the guide says not to do
        nb.delete()

    assert len(notebook_emulator.notebooks()) == 50  # the second page started past them


# logs guide


def test_logs_guide(
    open_page: OpenPage, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    page = open_page("guides/logs.md")

    page.run(1)  # the latest events
    nb: Notebook = page["nb"]
    messages = [event["message"] for event in notebook_emulator.log_events(nb.id)]
    assert [line.split(" ", 1)[1] for line in _lines(capsys)] == messages

    page.run(1)  # follow
    followed = _lines(capsys)
    messages = [event["message"] for event in notebook_emulator.log_events(nb.id)]
    start = messages.index(followed[0])
    assert len(followed) > 100
    assert followed == messages[start : start + len(followed)]  # in order, once each

    page.run(2)  # the whole log, by hand with the tokens
    assert page["messages"] == messages
    assert len(messages) > 2 * notebook_emulator.log_page_size
    assert _lines(capsys) == [
        f"{notebook_emulator.log_page_size} events before these",
        "nothing new yet: ask again later with the same token",
    ]


# waiting guide


def test_waiting_guide(
    open_page: OpenPage, notebook_clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    page = open_page("guides/waiting.md")

    page.run(1)
    assert _lines(capsys) == ["Running"]
    assert notebook_clock.sleeps == [2.0]

    start = notebook_clock.now()
    page.run()
    assert _lines(capsys) == ["Stopped", "True", "Stopped - starting it", "Running"]
    assert notebook_clock.now() - start >= 30  # the grace before StatusUnreachable


def test_waiting_guide_failure_and_timeout(
    open_page: OpenPage,
    notebook_emulator: Emulator,
    notebook_client: Client,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ready = open_page("guides/waiting.md").run()["ready"]
    capsys.readouterr()

    failing = notebook_client.notebooks.create("train-resnet")
    notebook_emulator.fail(failing.id, "out of memory")
    notebook_emulator.start_delay = 3600
    slow = notebook_client.notebooks.create("train-resnet")

    assert not ready(failing)
    assert not ready(slow)
    assert _lines(capsys) == ["failed: out of memory", "still Pending after five minutes"]
    assert slow.status is NotebookStatus.PENDING  # updated in place, even on a timeout


# errors guide


def test_errors_guide(
    open_page: OpenPage, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    open_page("guides/errors.md").run()

    assert _lines(capsys) == [
        "no such notebook",
        "not started: notebook 1900000000001 is already Pending",
        "False",
        "not sent: notebook_type must be 'notebook' or 'lab', got 'jupyter'",
    ]
    assert [r.method for r in notebook_emulator.requests] == ["GET", "POST", "POST"]


def test_errors_guide_each_branch(open_page: OpenPage, notebook_emulator: Emulator) -> None:
    describe = open_page("guides/errors.md").run()["describe"]
    (notebook_id,) = notebook_emulator.seed(1)

    assert describe(notebook_id) == "notebook-2 is Stopped"
    notebook_emulator.inject(status=500, times=4)
    assert describe(notebook_id).startswith(
        "API error 500 internal_server_error: injected fault: 500 (request id "
    )
    notebook_emulator.inject(drop=True, times=4)
    assert describe(notebook_id).startswith("cannot reach the API: get notebook")


# HTTP details guide


def test_http_details_guide(
    open_page: OpenPage,
    notebook_emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    root, logger = logging.getLogger(), logging.getLogger("abeja_notebooks")
    handlers, level = list(root.handlers), logger.level
    page = open_page("guides/http-details.md")
    try:
        page.run(3)  # a success, a failure, a start
        ids = [r.request_id for r in notebook_emulator.requests]
        assert _lines(capsys) == [
            f"200 {ids[1]}",
            "application/json",
            "0 0:00:00",
            f"200 {ids[2]}",
            f"409 {ids[3]}",
            f"1900000000001 Pending {ids[4]}",
        ]
        assert page["same"] == page["nb"]

        page.run(1)  # async
        assert _lines(capsys) == [
            f"1900000000001 Pending {notebook_emulator.requests[-1].request_id}"
        ]

        page.run(1)  # the DEBUG log
        listing = notebook_emulator.requests[-1]
        answers = [r.getMessage() for r in caplog.records if " -> " in r.getMessage()]
        assert answers[-1].endswith(f"{listing.path} -> 200 (request id {listing.request_id})")
    finally:
        logger.setLevel(level)
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)

    notebook_emulator.seed(119)
    notebook_emulator.clear_requests()
    capsys.readouterr()
    page.run(1)  # an event hook
    request_ids = [r.request_id for r in notebook_emulator.requests]
    lines = _lines(capsys)
    assert lines[-1] == str(request_ids)
    assert len(request_ids) == 3  # 120 notebooks, 50 a page


def test_http_details_start_answered_with_a_message(
    open_page: OpenPage, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook_emulator.action_response = "message"
    page = open_page("guides/http-details.md")
    root, handlers = logging.getLogger(), list(logging.getLogger().handlers)
    level = logging.getLogger("abeja_notebooks").level
    try:
        page.run(3)
        page.run()
    finally:
        logging.getLogger("abeja_notebooks").setLevel(level)
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)

    started = [line for line in _lines(capsys) if " started " in line]
    assert started == [f"1900000000001 started {notebook_emulator.requests[4].request_id}"]


# retries and timeouts guide


def test_retries_guide(open_page: OpenPage, notebook_emulator: Emulator) -> None:
    notebook_emulator.seed(3)
    page = open_page("guides/retries-and-timeouts.md").run()
    settings = page["patient"].settings

    assert (settings.timeout.connect, settings.timeout.read) == (5.0, 30.0)
    assert (settings.max_retries, settings.deadline) == (5, 300.0)
    assert settings.retry_policy == RetryPolicy(
        initial_delay=1.0, max_delay=30.0, max_retry_after=120.0
    )
    notebook_emulator.clear_requests()
    notebook_emulator.inject(status=503)
    with pytest.raises(ServiceUnavailable):
        page["quick"].notebooks.list_page("train-resnet", limit=1)
    assert len(notebook_emulator.requests) == 1  # max_retries=0


# async guide


def test_async_guide(
    open_page: OpenPage, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = notebook_emulator.seed(3)
    page = open_page("guides/async.md")

    page.run(1)
    assert [line.split()[0] for line in _lines(capsys)] == ids

    page.run(1)
    lines = _lines(capsys)
    assert lines[-1] == "Stopped cpu-4"
    assert sum("heartbeat" in line for line in lines) > 50

    page.run(1)
    assert _lines(capsys) == ["4 notebooks read at once"]


# logging guide


def test_logging_guide(
    open_page: OpenPage, notebook_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    root, logger = logging.getLogger(), logging.getLogger("abeja_notebooks")
    handlers, level = list(root.handlers), logger.level
    try:
        open_page("guides/logging.md").run()
        assert logger.getEffectiveLevel() == logging.INFO
    finally:
        logger.setLevel(level)
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)

    (record,) = [r for r in caplog.records if r.name == "__main__"]
    assert record.getMessage().startswith(
        "could not stop 1900000000001: notebook 1900000000001 is not running: 409 Conflict "
        "for POST http://"
    )
    assert f"(request id {notebook_emulator.requests[-1].request_id})" in record.getMessage()


# running inside a platform notebook


@pytest.fixture
def in_a_notebook(notebook_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """The variables the platform sets in a notebook, for a running notebook of the emulator."""
    (nid,) = notebook_emulator.seed(1, status="Running")
    monkeypatch.setenv("TRAINING_JOB_DEFINITION_NAME", "train-resnet")
    monkeypatch.setenv("TRAINING_NOTEBOOK_ID", nid)
    return nid


def test_platform_notebook_guide(
    in_a_notebook: str,
    open_page: OpenPage,
    notebook_emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    instance_type = notebook_emulator.notebook(in_a_notebook)["instance_type"]
    page = open_page("guides/platform-notebook.md").run()

    assert _lines(capsys) == [
        f"training in notebook-1 ({in_a_notebook}) on {instance_type}",
        "epoch 1: loss 0.500",
        "epoch 2: loss 0.250",
        "epoch 3: loss 0.125",
        "done, loss 0.125: stopping notebook-1",
        f"in notebook-1 ({in_a_notebook}) of train-resnet",
    ]
    assert notebook_emulator.notebook(in_a_notebook)["status"] == "Stopped"
    monkeypatch.delenv("TRAINING_NOTEBOOK_ID")
    assert page["where_am_i"]() == "not in a platform notebook"


# configuration page


def test_configuration_page(
    open_page: OpenPage,
    save_config: SaveConfig,
    notebook_emulator_server: EmulatorServer,
    notebook_emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    save_config("default_and_staging.json")
    page = open_page("configuration.md")

    for name in ("ABEJA_ORGANIZATION_ID", "PLATFORM_AUTH_TOKEN"):
        monkeypatch.delenv(name)
    page.run(1)  # from the saved file alone
    saved: Client = page["saved"]
    assert saved.organization_id == DEFAULT_ORGANIZATION_ID
    saved.notebooks.list_page("train-resnet")
    assert notebook_emulator.requests[-1].headers["authorization"] == basic(
        f"user-{DEFAULT_USER}", DEFAULT_TOKEN
    )

    monkeypatch.setenv("ABEJA_ORGANIZATION_ID", "1999999999999")
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", "from-the-environment")
    monkeypatch.setenv("ABEJA_SDK_MAX_RETRY_COUNT", "0")
    page.run()
    assert page["client"].organization_id == "1999999999999"
    explicit = page["explicit"].settings
    assert (explicit.organization_id, explicit.max_retries) == ("1410000000000", 5)
    assert explicit.headers["Authorization"] == "Bearer a-token-of-yours"
    assert page["user"].settings.credentials.identity == "user-1122334455660"
    datasource: APIClient = page["datasource"]
    assert datasource.settings.credentials is not None
    assert datasource.settings.credentials.identity == "datasource-1234567890123"
    assert (page["staging"].organization_id, page["staging"].settings.configuration) == (
        STAGING_ORG,
        "staging",
    )
    shown, details = _lines(capsys)
    assert shown == "Client(base_url='" + notebook_emulator_server.base_url + (
        "', organization_id='1410000000000')"
    )
    assert "secret=***" in details
    assert "a-token-of-yours" not in details
    assert page["quick"].settings.max_retries == 0


# migration guide


def test_migration_guide(
    open_page: OpenPage, notebook_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    page = open_page("migration.md")

    page.run(1)  # the APIClient
    lines = _lines(capsys)
    assert lines[:2] == ["notebook-1 created by test@example.com", "1 ['notebook-1']"]
    assert lines[-2] == "{'value': {'message': '1900000000001 deleted'}}"
    assert lines[-1] == "404 not_found"

    page.run(1)  # the resource model
    lines = _lines(capsys)
    assert lines[0] == "1900000000002 ['notebook-2']"  # names are never reused
    assert lines[-1] == "404 not_found"
    assert notebook_emulator.notebooks() == []
