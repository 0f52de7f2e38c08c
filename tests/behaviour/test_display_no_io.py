"""Showing what a client handed out never sends a request."""

from __future__ import annotations

import pytest

from abeja_notebooks import Client
from abeja_notebooks.testing import Emulator
from tests.dual import unwrap
from tests.support import JOB, pretty


@pytest.mark.needs("IPython")
def test_repr_html_pretty_and_dir_send_nothing(client: Client, emulator: Emulator) -> None:
    (nid, _) = emulator.seed(2, status="Running")
    shown = [
        unwrap(client.notebooks.get(JOB, nid)),
        unwrap(client.notebooks.list_page(JOB)),
        unwrap(client.notebooks.recent_logs(JOB, nid)),
    ]
    emulator.clear_requests()

    texts = [
        text for model in shown for text in (repr(model), str(model), pretty(model), *dir(model))
    ]
    tables = [model._repr_html_() for model in shown[:2]]

    assert emulator.requests == []
    assert all(texts)
    assert all(tables)
