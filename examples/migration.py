"""The example of the migration guide (docs/migration.md): the old low-level calls, unchanged.

Only the import lines differ from a script written for ``abeja-sdk``, and the one line that
reads the listing, which a type checker asks to handle the bare list of older servers.
"""

from __future__ import annotations

from abeja_notebooks import APIClient, Client, NotFound


# --8<-- [start:api-client]
def with_the_api_client(organization_id: str, job_definition_name: str) -> None:
    api_client = APIClient()  # credentials from the environment, as before
    notebook = api_client.create_notebook(
        organization_id, job_definition_name, "cpu-1", "abeja-inc/all-cpu:19.10", "lab"
    )
    notebook_id = notebook["training_notebook_id"]
    print(notebook["name"], "created by", notebook["creator"]["email"])
    listing = api_client.get_notebooks(organization_id, job_definition_name)
    entries = listing if isinstance(listing, list) else listing["entries"]  # new: see below
    print(len(entries), [entry["name"] for entry in entries])
    api_client.update_notebook(
        organization_id, job_definition_name, notebook_id, instance_type="cpu-4"
    )
    logs = api_client.get_notebook_recent_logs(organization_id, job_definition_name, notebook_id)
    print(len(logs["events"]), "log events")
    api_client.stop_notebook(organization_id, job_definition_name, notebook_id)
    api_client.start_notebook(organization_id, job_definition_name, notebook_id, "notebook")
    api_client.stop_notebook(organization_id, job_definition_name, notebook_id)
    print(api_client.delete_notebook(organization_id, job_definition_name, notebook_id))
    try:
        api_client.get_notebook(organization_id, job_definition_name, notebook_id)
    except NotFound as error:  # was: from abeja.exceptions import NotFound
        print(error.status_code, error.error)
    api_client.close()  # new: releases its pooled connections (exiting the script does too)


# --8<-- [end:api-client]


# --8<-- [start:client]
def with_the_client(job_definition_name: str) -> None:
    with Client() as client:  # organization from ABEJA_ORGANIZATION_ID (or organization_id=)
        nb = client.notebooks.create(
            job_definition_name,
            instance_type="cpu-1",
            image="abeja-inc/all-cpu:19.10",
            notebook_type="lab",
        )
        print(nb.id, [other.name for other in client.notebooks.list(job_definition_name)])
        nb.update(instance_type="cpu-4")
        print(len(list(nb.logs())), "log events")
        nb.stop()
        nb.start(notebook_type="notebook")
        nb.stop()
        nb.delete()
        try:
            nb.refresh()
        except NotFound as error:
            print(error.status_code, error.error)


# --8<-- [end:client]
