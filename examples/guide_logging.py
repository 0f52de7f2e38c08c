"""The examples of the logging and debugging guide (docs/guides/logging.md)."""

from __future__ import annotations

import logging

from abeja_notebooks import Client, HttpError

log = logging.getLogger(__name__)


# --8<-- [start:enable]
def show_retries() -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("abeja_notebooks").setLevel(logging.INFO)  # DEBUG: every request too


# --8<-- [end:enable]


# --8<-- [start:report]
def stop_and_report(client: Client, notebook_id: str) -> bool:
    try:
        client.notebooks.stop("train-resnet", notebook_id)
    except HttpError as error:
        # str(error): the reason, then the status, the verb, the URL and the request id
        log.error("could not stop %s: %s", notebook_id, error)
        return False
    return True


# --8<-- [end:report]
