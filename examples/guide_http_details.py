"""The examples of the HTTP details guide (docs/guides/http-details.md)."""

from __future__ import annotations

import logging

import httpx

from abeja_notebooks import AsyncClient, Client, HttpError, Message, Notebook


# --8<-- [start:success]
def read_with_details(client: Client, notebook_id: str) -> Notebook:
    response = client.notebooks.with_raw_response.get("train-resnet", notebook_id)
    print(response.status_code, response.request_id)  # 200 6a1f9c2e...
    print(response.headers["content-type"])  # application/json
    print(response.retries_taken, response.elapsed)  # 0 0:00:00.084312
    return response.parse()  # the Notebook that client.notebooks.get returns


# --8<-- [end:success]


# --8<-- [start:failure]
def stop_or_report(client: Client, notebook_id: str) -> str:
    try:
        response = client.notebooks.with_raw_response.stop("train-resnet", notebook_id)
    except HttpError as error:  # the same errors as the plain method, with the request id
        return f"{error.status_code}, request id {error.request_id}"
    return f"{response.status_code}, request id {response.request_id}"


# --8<-- [end:failure]


# --8<-- [start:start]
def start_and_describe(client: Client, notebook_id: str) -> str:
    response = client.notebooks.with_raw_response.start("train-resnet", notebook_id)
    started = response.parse()
    if isinstance(started, Message):  # the server sent only a message: nothing more was read
        return f"{started.message} (request id {response.request_id})"
    return f"{started.id} is {started.status} (request id {response.request_id})"


# --8<-- [end:start]


# --8<-- [start:async]
async def read_with_details_async(client: AsyncClient, notebook_id: str) -> str:
    response = await client.notebooks.with_raw_response.get("train-resnet", notebook_id)
    nb = response.parse()  # the body is already read: parse() is not awaited
    return f"{nb.id} {nb.status} (request id {response.request_id})"


# --8<-- [end:async]


# --8<-- [start:logging]
def log_every_request() -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("abeja_notebooks").setLevel(logging.DEBUG)
    # GET https://api.abeja.io/.../notebooks -> 200 (request id 6a1f9c2e...)


# --8<-- [end:logging]


# --8<-- [start:hook]
def request_ids_of_a_listing() -> list[str]:
    request_ids: list[str] = []

    def keep_request_id(response: httpx.Response) -> None:  # called for every answer
        request_ids.append(response.headers.get("x-request-id", ""))

    with (
        httpx.Client(event_hooks={"response": [keep_request_id]}) as http,
        Client(http_client=http) as client,  # the SDK sends through it: the hook applies
    ):
        for nb in client.notebooks.list("train-resnet", page_size=50):
            print(nb.id)
    return request_ids  # one per attempt, in order: here, one per page


# --8<-- [end:hook]
