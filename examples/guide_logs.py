"""The examples of the logs guide (docs/guides/logs.md)."""

from __future__ import annotations

from abeja_notebooks import Notebook


# --8<-- [start:recent]
def print_recent(nb: Notebook) -> None:
    for event in nb.logs():  # one request: the latest events, oldest first
        print(event.timestamp.isoformat(), event.message)


# --8<-- [end:recent]


# --8<-- [start:follow]
def follow(nb: Notebook) -> int:
    count = 0
    for event in nb.logs(follow=True, timeout=60):  # until it stops, or for 60 seconds
        print(event.message)
        count += 1
    return count


# --8<-- [end:follow]


# --8<-- [start:history]
def whole_log(nb: Notebook) -> list[str]:
    return [event.message for event in nb.logs(history=True)]  # from the first line on


# --8<-- [end:history]


# --8<-- [start:tokens]
def by_hand(nb: Notebook) -> None:
    latest = nb.recent_logs()  # the latest events and two opaque tokens
    if latest.next_backward_token is not None:
        older = nb.recent_logs(next_backward_token=latest.next_backward_token)
        print(len(older.events), "events before these")
    if latest.next_forward_token is not None:
        newer = nb.recent_logs(next_forward_token=latest.next_forward_token)
        if not newer.events and newer.next_forward_token == latest.next_forward_token:
            print("nothing new yet: ask again later with the same token")


# --8<-- [end:tokens]
