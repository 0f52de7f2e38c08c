"""The examples of the pagination guide (docs/guides/pagination.md)."""

from __future__ import annotations

from abeja_notebooks import Client, Notebook


# --8<-- [start:walk]
def print_every_notebook(client: Client) -> None:
    for nb in client.notebooks.list("train-resnet"):  # fetches 100 at a time, as needed
        print(nb.id, nb.name, nb.status)


# --8<-- [end:walk]


# --8<-- [start:sizes]
def first_120(client: Client) -> list[str]:
    notebooks = client.notebooks.list("train-resnet", page_size=50, max_items=120)
    return [nb.id for nb in notebooks]  # three requests: limit=50, limit=50, limit=20


# --8<-- [end:sizes]


# --8<-- [start:pages]
def page_by_page(client: Client) -> None:
    for page in client.notebooks.list("train-resnet", page_size=25).pages():
        last = page.next_offset - 1
        print(f"notebooks {page.offset}-{last} of {page.total}: {len(page)} on this page")


# --8<-- [end:pages]


# --8<-- [start:one-page]
def third_page_of_ten(client: Client) -> list[Notebook]:
    page = client.notebooks.list_page("train-resnet", offset=20, limit=10)
    print(page.total, page.offset, page.limit, page.is_last)
    return page.entries


# --8<-- [end:one-page]


# --8<-- [start:collect-first]
def delete_stopped_notebooks(client: Client) -> int:
    notebooks = client.notebooks.list("train-resnet")
    stopped = [nb for nb in notebooks if nb.status == "Stopped"]  # read the whole listing...
    for nb in stopped:  # ...then delete: deleting during the walk would make it skip some
        nb.delete()
    return len(stopped)


# --8<-- [end:collect-first]


# --8<-- [start:dedupe]
def distinct_notebooks(client: Client) -> dict[str, Notebook]:
    seen: dict[str, Notebook] = {}
    for nb in client.notebooks.list("train-resnet"):
        seen.setdefault(nb.id, nb)  # a notebook met twice while the listing moved counts once
    return seen


# --8<-- [end:dedupe]
