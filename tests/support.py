"""Constants and small helpers shared by the tests."""

from __future__ import annotations

import base64
import importlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from types import UnionType
from typing import Any, Final, Union, cast, get_args, get_origin, get_type_hints, is_typeddict

from abeja_notebooks import Client, Notebook
from abeja_notebooks.testing import DEFAULT_JOB_DEFINITION, DEFAULT_ORGANIZATION_ID

ORG: Final = DEFAULT_ORGANIZATION_ID
JOB: Final = DEFAULT_JOB_DEFINITION
PREFIX: Final = f"/organizations/{ORG}/training/definitions/{JOB}/notebooks"

MakeClient = Callable[..., Client]
"""The ``make_client`` fixture: builds a client of the test's variant (see conftest)."""


def shape_problems(value: object, expected: Any, where: str = "answer") -> list[str]:
    """Where ``value`` does not have the type ``expected`` (a TypedDict, a union, ``list[X]``,
    ``str``, ``int``, ``bool`` or ``None``); keys a TypedDict does not name are allowed."""
    if is_typeddict(expected):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not a {expected.__name__}"]
        document = cast("dict[str, object]", value)
        hints = get_type_hints(expected)
        missing = [f"{where}: no {key!r}" for key in expected.__required_keys__ - document.keys()]
        return missing + [
            problem
            for key, item in document.items()
            if key in hints
            for problem in shape_problems(item, hints[key], f"{where}[{key!r}]")
        ]
    origin, args = get_origin(expected), get_args(expected)
    if origin in (Union, UnionType):
        each = [shape_problems(value, arm, where) for arm in args]
        return [] if [] in each else [p for problems in each for p in problems]
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, not a list"]
        items = cast("list[object]", value)
        return [
            p
            for i, item in enumerate(items)
            for p in shape_problems(item, args[0], f"{where}[{i}]")
        ]
    if expected is None or expected is type(None):
        return [] if value is None else [f"{where}: {value!r} is not None"]
    if type(value) is not expected:  # exact: a bool is no int, an int no str
        return [f"{where}: {value!r} is not a {expected.__name__}"]
    return []


SaveConfig = Callable[..., Path]
"""The ``save_config`` fixture: ``save_config(name, extra=None) -> path`` installs the file
``tests/fixtures/platform_config/<name>`` (as ``abeja config init`` wrote it; ``extra`` keys
added to its top level, as a hand edit would) as ``~/.abeja/config`` of a fresh home directory."""

PLATFORM_CONFIGS: Final = Path(__file__).resolve().parent / "fixtures" / "platform_config"


def basic(identity: str, secret: str) -> str:
    """The ``Authorization`` header of HTTP Basic credentials."""
    return "Basic " + base64.b64encode(f"{identity}:{secret}".encode()).decode()


def edited(name: str, extra: Mapping[str, object] | None = None) -> str:
    """The text of a fixture file, with ``extra`` keys set at its top level."""
    text = (PLATFORM_CONFIGS / name).read_text()
    if not extra:
        return text
    return json.dumps({**json.loads(text), **extra})


FIXTURES: Final = Path(__file__).resolve().parent / "fixtures"
"""Answers of the API as documented, one JSON file each."""


def reference_notebook(**changes: object) -> Notebook:
    """The notebook of the API reference (``fixtures/notebook.json``), with ``changes`` applied
    under the API's keys (``training_notebook_id=...``, ``status=...``)."""
    document = json.loads((FIXTURES / "notebook.json").read_text())
    return Notebook.model_validate({**document, **changes})


def pretty(value: object) -> str:
    """What IPython's pretty printer shows for ``value`` (as a Jupyter cell's ``text/plain``)."""
    ipython: Any = importlib.import_module("IPython.lib.pretty")  # unannotated: typed here
    text: str = ipython.pretty(value)
    return text


PYDANTIC_V1_NAMES: Final = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)
"""pydantic's deprecated v1 methods, which completion on a model must not offer."""

CLI_COMMANDS: Final = (
    "list",
    "get",
    "create",
    "update",
    "start",
    "stop",
    "delete",
    "logs",
    "wait",
    "conformance",
)
"""The commands of ``abeja-notebooks`` that talk to the API."""
