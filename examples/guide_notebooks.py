"""The examples of the notebooks guide (docs/guides/notebooks.md): the resource model.

Each function takes a client (or a notebook) so that the tests can run it against the bundled
emulator; in a script, build the client with ``Client()``.
"""

from __future__ import annotations

from abeja_notebooks import Client, Notebook, NotebookPage, NotebookStatus, UnboundNotebookError


# --8<-- [start:create]
def create_and_wait(client: Client) -> Notebook:
    nb = client.notebooks.create(
        "train-resnet",  # the training job definition
        instance_type="cpu-1",
        image="abeja-inc/all-cpu:19.10",
        notebook_type="lab",
    )
    print(nb.id, nb.name, nb.status)  # 1900000000001 notebook-1 Pending
    nb.wait_until(NotebookStatus.RUNNING)  # polls; nb is updated in place
    print(nb.status, nb.creator.email, nb.created_at.isoformat())
    return nb


# --8<-- [end:create]


# --8<-- [start:bound]
def change_it(nb: Notebook) -> None:
    nb.update(instance_type="cpu-4")  # PUT; nb now holds the server's answer
    print(nb.instance_type)  # cpu-4
    nb.stop()
    print(nb.status)  # Stopped
    nb.start(notebook_type="notebook").wait_until("Running")  # each method returns nb
    nb.refresh()  # read it again, to see changes made elsewhere


# --8<-- [end:bound]


# --8<-- [start:manager]
def by_id(client: Client, notebook_id: str) -> None:
    notebooks = client.notebooks
    nb = notebooks.get("train-resnet", notebook_id)
    notebooks.update("train-resnet", notebook_id, image="abeja-inc/all-cpu:19.10")
    notebooks.stop("train-resnet", notebook_id)
    notebooks.delete("train-resnet", notebook_id)
    print(nb.name, "deleted")  # nb keeps the data it was fetched with


# --8<-- [end:manager]


# --8<-- [start:organization]
def in_another_organization(client: Client, organization_id: str) -> None:
    page = client.notebooks.list_page("train-resnet", organization_id=organization_id)
    print(page.total, "notebooks in", organization_id)
    other = client.with_options(organization_id=organization_id)  # same connection pool
    for nb in other.notebooks.list("train-resnet"):
        print(nb.organization_id, nb.id)  # nb.stop() etc. go to that organization too


# --8<-- [end:organization]


# --8<-- [start:data]
def as_data(nb: Notebook) -> Notebook:
    document = nb.to_dict()  # the API's own JSON document, unknown fields included
    print(document["training_notebook_id"] == nb.id)  # True
    print(nb.to_json(indent=2))
    copy = Notebook.model_validate(document)  # built by hand: not bound to a client
    print(copy == nb)  # True: == compares the data, not the client it came from
    try:
        copy.stop()
    except UnboundNotebookError as error:
        print(error)  # says to fetch it through a client, or to call the manager
    return copy


# --8<-- [end:data]


# --8<-- [start:status]
def describe_status(nb: Notebook) -> str:
    if nb.status is NotebookStatus.RUNNING:  # members also equal their strings: == "Running"
        return "running"
    if nb.status.is_failure:
        return f"failed: {nb.status_message}"
    if not nb.status.is_known:  # a status this SDK does not know yet still parses
        return f"new status {nb.status.value}"
    return nb.status.value.lower()


# --8<-- [end:status]


# --8<-- [start:jupyter]
def browse(client: Client) -> NotebookPage[Notebook]:
    page = client.notebooks.list_page("train-resnet", limit=2)
    nb = page.entries[0]
    print(repr(nb))  # what a cell ending in `nb` shows as text (Jupyter: a table)
    return page  # a cell ending in `page` shows it one notebook a line (Jupyter: a table)


# --8<-- [end:jupyter]
