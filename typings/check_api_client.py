"""Type-level tests of the drop-in ``APIClient``: checked by mypy --strict and pyright strict.

Each method returns the ``TypedDict`` of its answer (a union where the API has several forms),
so a checker sees each key's type and rejects a key the API does not send. Each
``# type: ignore[code]`` line is misuse that both checkers must keep rejecting (see
check_sync.py).
"""

from __future__ import annotations

from typing import assert_type

from abeja_notebooks import (
    ActionNotebookDict,
    APIClient,
    Client,
    Creator,
    CreatorDict,
    DeleteDict,
    LogEvent,
    LogEventDict,
    LogPage,
    LogPageDict,
    MessageDict,
    Notebook,
    NotebookDict,
    NotebookPage,
    NotebookPageDict,
    NotebookType,
)


def results(api: APIClient) -> None:
    assert_type(api.create_notebook("org", "job", "cpu-1", "img", "lab"), NotebookDict)
    assert_type(api.create_notebook("org", "job", datasets={"train": "1"}), NotebookDict)
    assert_type(
        api.get_notebooks("org", "job", offset=0, limit=10), NotebookPageDict | list[NotebookDict]
    )
    assert_type(api.get_notebook("org", "job", "id"), NotebookDict)
    assert_type(api.update_notebook("org", "job", "id", "cpu-4"), ActionNotebookDict)
    assert_type(api.delete_notebook("org", "job", "id"), DeleteDict | MessageDict)
    assert_type(
        api.start_notebook("org", "job", "id", "notebook"), ActionNotebookDict | MessageDict
    )
    assert_type(api.stop_notebook("org", "job", "id"), ActionNotebookDict | MessageDict)
    assert_type(api.get_notebook_recent_logs("org", "job", "id", "f", None), LogPageDict)


def notebook_keys(nb: NotebookDict, acted: ActionNotebookDict) -> None:
    assert_type(nb["training_notebook_id"], str)
    assert_type(nb["job_definition_id"], str)
    assert_type(nb["name"], str)
    assert_type(nb["description"], str | None)
    assert_type(nb["status"], str)
    assert_type(nb["status_message"], str | None)
    assert_type(nb["instance_type"], str)
    assert_type(nb["image"], str)
    assert_type(nb["created_at"], str)
    assert_type(nb["modified_at"], str)
    assert_type(nb["creator"], CreatorDict)
    assert_type(acted["training_notebook_id"], int | str)  # the reference shows 0 here
    assert_type(acted["status"], str)


def creator_keys(creator: CreatorDict) -> None:
    assert_type(creator["id"], str)
    assert_type(creator["email"], str)
    assert_type(creator["display_name"], str | None)
    assert_type(creator["role"], str)
    assert_type(creator["is_registered"], bool)
    assert_type(creator["created_at"], str)
    assert_type(creator["updated_at"], str)


def other_answers(page: NotebookPageDict, logs: LogPageDict, deleted: DeleteDict) -> None:
    assert_type(page["total"], int)
    assert_type(page["offset"], int)
    assert_type(page["limit"], int)
    assert_type(page["entries"], list[NotebookDict])
    assert_type(logs["events"], list[LogEventDict])
    assert_type(logs["events"][0]["message"], str)
    assert_type(logs["events"][0]["timestamp"], str)
    assert_type(logs["next_forward_token"], str)
    assert_type(logs["next_backward_token"], str)
    assert_type(deleted["value"]["message"], str)


def telling_forms_apart(api: APIClient) -> None:
    listing = api.get_notebooks("org", "job")
    if isinstance(listing, list):  # an older server's bare list
        assert_type(listing, list[NotebookDict])
    else:
        assert_type(listing, NotebookPageDict)
    started = api.start_notebook("org", "job", "id")
    if "message" in started:
        assert_type(started, MessageDict)
    else:
        assert_type(started, ActionNotebookDict)
    deleted = api.delete_notebook("org", "job", "id")
    if "value" in deleted:
        assert_type(deleted["value"]["message"], str)
    else:
        assert_type(deleted["message"], str)


def unknown_keys_stay_readable(nb: NotebookDict) -> None:
    _ = nb.get("a_field_added_later")  # allowed: a TypedDict does not forbid other keys
    raw: dict[str, object] = dict(nb)  # a plain dict of it, for code that wants one
    assert_type(raw, dict[str, object])


def models_give_the_same_dicts(
    nb: Notebook, creator: Creator, page: NotebookPage[Notebook], event: LogEvent, logs: LogPage
) -> None:
    assert_type(nb.to_dict(), NotebookDict)
    assert_type(creator.to_dict(), CreatorDict)
    assert_type(page.to_dict(), NotebookPageDict)
    assert_type(event.to_dict(), LogEventDict)
    assert_type(logs.to_dict(), LogPageDict)


def notebook_types(api: APIClient, client: Client, nb: Notebook, chosen: NotebookType) -> None:
    api.create_notebook("org", "job", notebook_type="lab")
    api.update_notebook("org", "job", "id", notebook_type=chosen)
    client.notebooks.start("job", "id", notebook_type="notebook")
    nb.update(notebook_type=chosen)


def misuse(
    api: APIClient, client: Client, nb: NotebookDict, acted: ActionNotebookDict, typed: str
) -> None:
    _ = nb["nmae"]  # type: ignore[typeddict-item]
    _ = nb["creator"]["emial"]  # type: ignore[typeddict-item]
    count: int = nb["name"]  # type: ignore[assignment]
    _ = nb["training_notebook_id"] == 0  # type: ignore[comparison-overlap]
    _ = api.get_notebooks("org", "job")["total"]  # type: ignore[call-overload]
    _ = api.start_notebook("org", "job", "id")["status"]  # type: ignore[typeddict-item]
    _ = api.delete_notebook("org", "job", "id")["value"]  # type: ignore[typeddict-item]
    api.stop_notebook("org", "job", acted["training_notebook_id"])  # type: ignore[arg-type]
    api.create_notebook("org", "job", notebook_type="jupyter")  # type: ignore[arg-type]
    api.start_notebook("org", "job", "id", "Lab")  # type: ignore[arg-type]
    api.update_notebook("org", "job", "id", notebook_type=typed)  # type: ignore[arg-type]
    client.notebooks.create("job", notebook_type="jupyter")  # type: ignore[arg-type]
    nb["status"] = 1  # type: ignore[typeddict-item]
    _ = count
