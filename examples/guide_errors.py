"""The examples of the errors guide (docs/guides/errors.md)."""

from __future__ import annotations

from typing import cast

from abeja_notebooks import (
    APIConnectionError,
    Client,
    Conflict,
    HttpError,
    Notebook,
    NotebookType,
    NotFound,
)


# --8<-- [start:catch]
def describe(client: Client, notebook_id: str) -> str:
    try:
        nb = client.notebooks.get("train-resnet", notebook_id)
    except NotFound:
        return "no such notebook"
    except HttpError as error:  # any other status the API answered with (after retries)
        return (
            f"API error {error.status_code} {error.error}: {error.error_description} "
            f"(request id {error.request_id})"
        )
    except APIConnectionError as error:  # no answer at all (APITimeoutError included)
        return f"cannot reach the API: {error}"
    return f"{nb.name} is {nb.status}"


# --8<-- [end:catch]


# --8<-- [start:conflict]
def start_unless_running(nb: Notebook) -> bool:
    try:
        nb.start()
    except Conflict as conflict:  # 409: it is already Pending or Running
        print("not started:", conflict.error_description)
        return False
    return True


# --8<-- [end:conflict]


# --8<-- [start:arguments]
def create_checked(client: Client, notebook_type: str) -> str:
    # A type checker lets only "notebook" or "lab" through; a str that arrives at run time (from
    # a config file, a command line) gets past it with a cast, and the SDK checks it instead.
    kind = cast("NotebookType", notebook_type)
    try:
        nb = client.notebooks.create("train-resnet", notebook_type=kind)
    except ValueError as error:  # a bad argument: raised before anything is sent
        return f"not sent: {error}"
    return nb.id


# --8<-- [end:arguments]
