"""The pure parts of reading an answer in bounds: decoding step by step, size limits, the JSON
of error bodies, redaction, ``Retry-After`` and matching an answer to its request."""

from __future__ import annotations

import gzip
import json
import math
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from abeja_notebooks import ResponseTooLarge, ResponseValidationError
from abeja_notebooks._body import STEP, BodyReader, Budget
from abeja_notebooks._endpoints import (
    AnswerMismatch,
    RawResponse,
    check_identity,
    get_request,
    list_request,
    parse_logs,
    update_request,
)
from abeja_notebooks._errors import ERROR_JSON_BYTES, error_json, redact, redact_text
from abeja_notebooks._retry import parse_retry_after

ORIGIN = ("GET", "http://api.test/x", ())


def answer(status: int, raw: Iterator[bytes], encoding: str | None = None) -> httpx.Response:
    headers = {"Content-Encoding": encoding} if encoding else {}
    return httpx.Response(
        status,
        headers=headers,
        stream=httpx.ByteStream(b"".join(raw)),
        request=httpx.Request("GET", "http://api.test/x"),
    )


def read(response: httpx.Response, max_size: int = 1 << 30) -> tuple[list[int], bytes]:
    """Feed the body's raw bytes one by one (of 1 KiB): the sizes of the decoded pieces kept."""
    reader = BodyReader(response, Budget(None), max_size, ORIGIN)
    raw = b"".join(response.iter_raw())
    for start in range(0, len(raw), 1024):
        if not reader.feed(raw[start : start + 1024]):
            break
    content = reader.finish()
    return [len(chunk) for chunk in reader.chunks], content


def test_a_gzip_body_is_decoded_in_pieces_of_at_most_64_kib() -> None:
    data = bytes(1 << 20) + b"end"

    sizes, content = read(answer(200, iter([gzip.compress(data)]), "gzip"))

    assert content == data
    assert max(sizes) == STEP
    assert sum(sizes) == len(data)


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_deflate_is_read_wrapped_or_raw(wbits: int) -> None:
    compressor = zlib.compressobj(wbits=wbits)
    body = compressor.compress(b"x" * 100_000) + compressor.flush()

    assert read(answer(200, iter([body]), "deflate"))[1] == b"x" * 100_000


def test_encodings_are_undone_in_reverse_order() -> None:
    body = zlib.compress(gzip.compress(b"twice"))

    assert read(answer(200, iter([body]), "gzip, deflate"))[1] == b"twice"


def test_a_2xx_body_past_the_limit_raises_as_soon_as_it_passes_it() -> None:
    bomb = gzip.compress(bytes(64 << 20))

    with pytest.raises(ResponseTooLarge) as caught:
        read(answer(200, iter([bomb]), "gzip"), max_size=1 << 20)

    assert "max_response_size (1,048,576 bytes) once decoded from 'gzip'" in str(caught.value)
    assert caught.value.url == "http://api.test/x"


def test_an_error_body_is_kept_only_to_its_first_64_kib() -> None:
    sizes, content = read(answer(503, iter([b"x" * 1_000_000])))

    assert len(content) == ERROR_JSON_BYTES == sum(sizes)


def test_once_an_error_body_is_cut_the_rest_of_its_piece_is_not_decoded() -> None:
    """A bomb's first raw piece (64 KiB on the wire) holds 64 MiB once inflated: past the
    error body's first 64 KiB, nothing more of it is decoded, not even when the body ends."""
    bomb = gzip.compress(bytes(64 << 20))
    reader = BodyReader(answer(503, iter([bomb]), "gzip"), Budget(None), 1 << 30, ORIGIN)

    tracemalloc.start()
    try:
        more = reader.feed(bomb)
        content = reader.finish()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert not more
    assert content == bytes(ERROR_JSON_BYTES)
    assert peak < 2_000_000  # a few decoding steps of 64 KiB, not 64 MiB


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress"])
def test_a_compression_not_asked_for_is_a_decoding_error(encoding: str) -> None:
    with pytest.raises(httpx.DecodingError, match=f"'{encoding}' is not decoded"):
        read(answer(200, iter([b"..."]), encoding))


def test_a_token_that_names_no_compression_is_ignored_as_httpx_does() -> None:
    assert read(answer(200, iter([b"plain"]), "identity, utf-8"))[1] == b"plain"


def test_a_body_that_is_not_what_its_encoding_says_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError):
        read(answer(200, iter([b"not gzip at all"]), "gzip"))


def test_the_json_of_an_error_body_is_cut_32_levels_deep() -> None:
    deep: Any = "bottom"
    for _ in range(600):
        deep = {"d": deep}

    data: Any = error_json(json.dumps({"error_detail": deep}).encode(), ())

    text = json.dumps(data)
    assert text.count("{") == 32
    assert text.endswith('"..."' + "}" * 32)


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b"x" * (ERROR_JSON_BYTES + 1), b"<html>", b"   "],
    ids=["too deep for json", "too large", "not JSON", "blank"],
)
def test_an_error_body_that_cannot_be_read_as_json_gives_none(body: bytes) -> None:
    assert error_json(body, ()) is None


def test_redaction_hides_secrets_of_8_characters_or_more_inside_words_too() -> None:
    assert redact_text("xs3cr3t-88y", ["s3cr3t-88"]) == "x***y"
    assert redact_text("disconnected", ["t", "nnec", "disconn"]) == "disconnected"
    assert redact({"k-12345678": ["12345678"]}, ["12345678"]) == {"k-***": ["***"]}


@pytest.mark.parametrize(
    ("value", "headers", "expected"),
    [
        ("7", {}, 7.0),
        ("9" * 400, {}, math.inf),
        ("inf", {}, None),  # not delay-seconds: ignored
        ("-5", {}, None),
        ("-inf", {}, None),
        ("nan", {}, None),
        ("soon", {}, None),
        ("Sun, 06 Nov 1994 08:49:37 GMT", {"date": "Sun, 06 Nov 1994 08:50:37 GMT"}, 0.0),
        ("Sun, 06 Nov 1994 08:49:37 GMT", {"date": "Sun, 06 Nov 1994 08:48:37 GMT"}, 60.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", {"date": "Fri, 31 Dec 9999 23:58:59 GMT"}, 60.0),
        ("Sat, 01 Jan 10000 00:00:00 GMT", {}, math.inf),  # past what a datetime holds
        ("Mon, 01 Jan 99999999999999999999 00:00:00 GMT", {}, math.inf),  # overflows C's long
        ("Thu, 01 Jan 2026 00:01:00 GMT", {"date": "Sat, 01 Jan 10000 00:00:00 GMT"}, 60.0),
        ("Sun, 06 Nov 1994 25:49:37 GMT", {}, None),  # hour 25
    ],
)
def test_retry_after(value: str, headers: dict[str, str], expected: float | None) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)

    assert parse_retry_after({"retry-after": value, **headers}, lambda: now) == expected


def raw(data: object) -> RawResponse:
    return RawResponse(200, {}, json.dumps(data).encode(), "GET", "http://api.test/x")


def test_an_answer_about_another_notebook_is_a_mismatch() -> None:
    get = get_request("1", "job", "42")

    check_identity(raw({}), get, {"training_notebook_id": "42"})
    check_identity(raw({}), get, {"training_notebook_id": 42})
    with pytest.raises(AnswerMismatch, match="about notebook '43', not '42'"):
        check_identity(raw({}), get, {"training_notebook_id": "43"})
    with pytest.raises(AnswerMismatch, match="about notebook '0'"):
        check_identity(raw({}), get, {"training_notebook_id": 0})


def test_the_placeholder_0_passes_only_where_the_reference_shows_it() -> None:
    update = update_request("1", "job", "42", instance_type="cpu-1")

    check_identity(raw({}), update, {"training_notebook_id": 0})
    check_identity(raw({}), update, {"message": "42 updated"})  # no id to compare
    with pytest.raises(AnswerMismatch):
        check_identity(raw({}), update, {"training_notebook_id": "7"})


def test_a_page_at_another_offset_is_a_mismatch() -> None:
    check_identity(raw({}), list_request("1", "job"), {"offset": 0})
    check_identity(raw({}), list_request("1", "job", offset=20), [])  # a bare list: no offset
    with pytest.raises(AnswerMismatch, match="page at offset 40, not 20"):
        check_identity(raw({}), list_request("1", "job", offset=20), {"offset": 40})


def test_a_notebook_is_not_read_as_a_page_of_logs() -> None:
    body = json.dumps({"training_notebook_id": "666", "status": "Running"}).encode()
    answer = RawResponse(200, {}, body, "GET", "http://api.test/x/recentlogs")

    with pytest.raises(ResponseValidationError) as caught:
        parse_logs(answer)

    error = caught.value
    assert str(error).startswith(
        "200 answer to GET http://api.test/x/recentlogs is not what the Notebook API promises: "
        "events: Field required"
    )
    assert (error.status_code, error.url, error.body) == (200, answer.url, body.decode())
    assert parse_logs(RawResponse(200, {}, b'{"events": []}', "GET", answer.url)).events == []
