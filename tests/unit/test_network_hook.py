"""The socket hook where httpcore's internals are not what it looks for: it does nothing.

Against httpcore's real pools the hook is tested over real HTTP (tests/reliability/
test_hostile_network.py); here, a stream of a transport whose internals it cannot find.
"""

from __future__ import annotations

import httpx

from abeja_notebooks._network import _Stream, watch  # pyright: ignore[reportPrivateUsage] -- the hook alone


class _Socket:
    """A network stream as httpcore's backends make them: readable only when told so."""

    def __init__(self, readable: bool) -> None:
        self.readable = readable

    def get_extra_info(self, info: str) -> object:
        return self.readable if info == "is_readable" else None


def test_a_connection_whose_parser_cannot_be_found_is_judged_as_before() -> None:
    socket = _Socket(readable=False)
    stream = _Stream(socket)
    response = httpx.Response(
        200, stream=httpx.ByteStream(b"{}"), extensions={"network_stream": stream}
    )

    watch(response)

    assert stream.parser is False  # looked for once, not found
    assert stream.get_extra_info("is_readable") is False
    socket.readable = True
    assert stream.get_extra_info("is_readable") is True
