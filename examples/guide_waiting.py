"""The examples of the waiting guide (docs/guides/waiting.md)."""

from __future__ import annotations

from abeja_notebooks import (
    Client,
    Notebook,
    NotebookFailed,
    NotebookStatus,
    StatusUnreachable,
    WaitTimeout,
)


# --8<-- [start:wait]
def wait_for_it(nb: Notebook) -> None:
    nb.wait_until(NotebookStatus.RUNNING, timeout=600, poll_interval=2)
    print(nb.status)  # Running: nb was updated in place


# --8<-- [end:wait]


# --8<-- [start:any]
def wait_until_it_ends(client: Client, notebook_id: str) -> Notebook:
    return client.notebooks.wait_until(
        "train-resnet",
        notebook_id,
        {NotebookStatus.STOPPED, NotebookStatus.FAILED},  # whichever comes first
        timeout=None,  # no limit
    )


# --8<-- [end:any]


# --8<-- [start:failures]
def ready(nb: Notebook) -> bool:
    try:
        nb.wait_until("Running", timeout=300)
    except NotebookFailed as failure:  # it reached Failed: waiting longer would not help
        print("failed:", failure.notebook.status_message)
        return False
    except WaitTimeout as late:
        print("still", late.notebook.status, "after five minutes")
        return False
    return True


# --8<-- [end:failures]


# --8<-- [start:unreachable]
def running(nb: Notebook) -> Notebook:
    try:
        return nb.wait_until("Running", timeout=600)  # grace=30: a start may be landing
    except StatusUnreachable as stuck:  # still Stopped after 30 s: nobody is starting it
        print(stuck.notebook.status, "- starting it")
        nb.start()
        return nb.wait_until("Running", timeout=600)


# --8<-- [end:unreachable]
