"""The examples of the guide to running inside a platform notebook
(docs/guides/platform-notebook.md)."""

from __future__ import annotations

from abeja_notebooks import Client, ConfigurationError


# --8<-- [start:client]
def client_in_a_notebook() -> Client:
    # The platform sets ABEJA_ORGANIZATION_ID, PLATFORM_AUTH_TOKEN and ABEJA_API_URL
    # in every notebook: nothing to pass, nothing to save.
    return Client()


# --8<-- [end:client]


# --8<-- [start:stop-when-done]
def train(epochs: int) -> float:
    """Stands for your own training: returns the final loss."""
    loss = 1.0
    for epoch in range(1, epochs + 1):
        loss /= 2
        print(f"epoch {epoch}: loss {loss:.3f}")
    return loss


def train_then_stop(epochs: int = 3) -> None:
    with Client() as client:
        me = client.notebooks.current()  # the notebook this code runs in
        print(f"training in {me.name} ({me.id}) on {me.instance_type}")
        loss = train(epochs)
        print(f"done, loss {loss:.3f}: stopping {me.name}")
        me.stop()  # the instance stops, and this kernel with it: nothing runs after this


# --8<-- [end:stop-when-done]


# --8<-- [start:anywhere]
def where_am_i(client: Client) -> str:
    try:
        me = client.notebooks.current()
    except ConfigurationError:  # TRAINING_NOTEBOOK_ID and friends are not set
        return "not in a platform notebook"
    return f"in notebook {me.name} ({me.id}) of {me.job_definition_name}"


# --8<-- [end:anywhere]
