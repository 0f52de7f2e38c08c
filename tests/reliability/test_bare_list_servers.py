"""A listing from a server that answers with a bare list and ignores ``offset`` (and maybe
``limit``): every notebook is handed out once, and the walk ends.

The emulator's bare dialect pages by offset and limit (see tests/behaviour/test_pagination.py);
an older server may not, and sends the same notebooks whatever the request asks. The server
here is such a one, over real HTTP, for the sync and the async client.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support import FIXTURES, JOB, MakeClient

from .hostile import HostileServer, Received, http_answer, keep_alive

NOTEBOOK: dict[str, Any] = json.loads((FIXTURES / "notebook.json").read_text())


class BareListServer(HostileServer):
    """Answers every listing with a bare list of ``count`` notebooks, from the first: all of
    them, or (``honour_limit``) as many as ``limit`` asks for; ``offset`` is never read."""

    def __init__(self, count: int, *, honour_limit: bool = False) -> None:
        self.ids = [str(1_410_000_000_000 + n) for n in range(count)]
        self.honour_limit = honour_limit
        super().__init__(keep_alive(self.answer))

    def answer(self, request: Received) -> bytes:
        query = parse_qs(urlsplit(request.target).query)
        ids = self.ids
        if self.honour_limit and "limit" in query:
            ids = ids[: int(query["limit"][0])]
        entries = [{**NOTEBOOK, "training_notebook_id": notebook_id} for notebook_id in ids]
        return http_answer(200, json.dumps(entries).encode())

    def queries(self) -> list[tuple[int, int]]:
        """The ``(offset, limit)`` of each request received."""
        asked = [parse_qs(urlsplit(r.target).query) for r in self.requests]
        return [(int(q["offset"][0]), int(q["limit"][0])) for q in asked]


def test_a_list_larger_than_the_page_asked_for_is_the_whole_listing(
    make_client: MakeClient,
) -> None:
    with BareListServer(150) as server:
        client = make_client(base_url=server.base_url, max_retries=0)
        walked = [nb.id for nb in client.notebooks.list(JOB, page_size=20)]

    assert walked == server.ids
    assert server.queries() == [(0, 20)]


def test_a_full_page_sent_again_ends_the_walk_without_duplicates(
    make_client: MakeClient,
) -> None:
    with BareListServer(100) as server:  # exactly the default page size: more may follow
        client = make_client(base_url=server.base_url, max_retries=0)
        walked = [nb.id for nb in client.notebooks.list(JOB)]

    assert walked == server.ids
    assert server.queries() == [(0, 100), (100, 100)]


def test_a_server_that_honours_only_the_limit_ends_after_the_first_page(
    make_client: MakeClient,
) -> None:
    with BareListServer(150, honour_limit=True) as server:
        client = make_client(base_url=server.base_url, max_retries=0)
        pages = list(client.notebooks.list(JOB, page_size=20).pages())

    assert [[nb.id for nb in page.entries] for page in pages] == [server.ids[:20]]
    assert server.queries() == [(0, 20), (20, 20)]


def test_max_items_cuts_a_list_that_ignores_the_limit(make_client: MakeClient) -> None:
    with BareListServer(150) as server:
        client = make_client(base_url=server.base_url, max_retries=0)
        walked = [nb.id for nb in client.notebooks.list(JOB, page_size=20, max_items=30)]

    assert walked == server.ids[:30]
    assert server.queries() == [(0, 20)]
