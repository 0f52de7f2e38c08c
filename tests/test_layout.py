"""The layout a newcomer relies on holds, in the package and in the test suite.

The package:

- The sync client and resource modules are generated from the async ones by
  ``scripts/unasync.py`` and are up to date; they never import asyncio or the async modules.
- ``abeja_notebooks/__init__.py`` lists each public name alike in its three places.
- No module of the package is over 700 lines.

The tests:

- Tests live in a directory named for their kind: ``unit`` (the pure layers, no network),
  ``behaviour`` (both clients over real HTTP to the emulator), ``reliability``, ``emulator``,
  ``cli``, ``docs``, ``typing``, ``benchmarks``. This module is the one test module at the top.
- A fixture name means one kind of object wherever it is defined (``client`` is always an SDK
  client, never an ``httpx.Client``): every definition of a name, in any conftest, test module or
  the package's pytest plugin, declares the same type.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

TESTS = Path(__file__).resolve().parent
PLUGIN = TESTS.parent / "abeja_notebooks" / "testing" / "pytest_plugin.py"
KINDS = {"unit", "behaviour", "reliability", "emulator", "cli", "docs", "typing", "benchmarks"}
WRAPPERS = {"Iterator", "AsyncIterator", "Generator", "AsyncGenerator"}
"""Return types of yield fixtures: the fixture's value is their first argument."""


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "fixture"


def _value_type(annotation: ast.expr | None) -> str:
    """The type of the value a fixture gives, from its return annotation."""
    if annotation is None:
        return "<not annotated>"
    if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value) in WRAPPERS:
        inner = annotation.slice
        return ast.unparse(inner.elts[0] if isinstance(inner, ast.Tuple) else inner)
    return ast.unparse(annotation)


def fixture_types() -> dict[str, dict[str, set[Path]]]:
    """Every fixture name, with the types its definitions declare and where they are."""
    found: dict[str, dict[str, set[Path]]] = defaultdict(lambda: defaultdict(set))
    for path in [*TESTS.rglob("*.py"), PLUGIN]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if any(_is_fixture(decorator) for decorator in node.decorator_list):
                found[node.name][_value_type(node.returns)].add(path.relative_to(TESTS.parent))
    return found


def test_every_test_module_is_in_the_directory_of_its_kind() -> None:
    misplaced = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("test_*.py")
        if path != Path(__file__).resolve() and path.relative_to(TESTS).parts[0] not in KINDS
    ]

    assert misplaced == []


def test_each_fixture_name_means_one_kind_of_object() -> None:
    ambiguous = {
        name: {kind: sorted(map(str, where)) for kind, where in kinds.items()}
        for name, kinds in fixture_types().items()
        if len(kinds) > 1
    }

    assert ambiguous == {}


def test_the_fixture_check_sees_the_fixtures_it_guards() -> None:
    types = fixture_types()

    assert set(types["client"]) == {"Client"}
    assert set(types["http_client"]) == {"httpx.Client"}
    assert set(types["notebook_client"]) == {"Client"}
    assert set(types["emulator"]) == {"Emulator"}


# --- the package -------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "abeja_notebooks"
UNASYNC = ROOT / "scripts" / "unasync.py"
MAX_MODULE_LINES = 700


def _unasync(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(UNASYNC), "--root", str(root), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def _load_unasync() -> ModuleType:
    spec = importlib.util.spec_from_file_location("unasync_script", UNASYNC)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The files the generator reads and writes, copied to a scratch project."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for folder in ("_async", "_sync"):
        shutil.copytree(PACKAGE / folder, tmp_path / "abeja_notebooks" / folder)
    return tmp_path


@pytest.mark.needs("ruff")  # the generator formats with ruff
@pytest.mark.slow
def test_the_generated_sync_modules_are_up_to_date() -> None:
    done = _unasync("--check")

    assert done.returncode == 0, done.stderr


@pytest.mark.needs("ruff")  # the generator formats with ruff
@pytest.mark.slow
def test_the_check_catches_a_hand_edit_of_a_generated_module(project_copy: Path) -> None:
    generated = project_copy / "abeja_notebooks" / "_sync" / "manager.py"
    text = generated.read_text()
    generated.write_text(text.replace('"""Read one notebook.', '"""Read one notebook (edited).'))

    done = _unasync("--check", root=project_copy)

    assert done.returncode == 1
    assert "abeja_notebooks/_sync/manager.py" in done.stderr
    assert "(edited)" in done.stderr
    assert "stale (or edited by hand)" in done.stderr


@pytest.mark.needs("ruff")  # the generator formats with ruff
@pytest.mark.slow
def test_the_check_catches_a_generated_module_without_a_source(project_copy: Path) -> None:
    (project_copy / "abeja_notebooks" / "_sync" / "orphan.py").write_text('"""Left over."""\n')

    done = _unasync("--check", root=project_copy)

    assert done.returncode == 1
    assert "orphan.py has no async source" in done.stderr


@pytest.mark.needs("ruff")  # the generator formats with ruff
@pytest.mark.slow
def test_generating_rewrites_a_stale_module_from_its_source(project_copy: Path) -> None:
    generated = project_copy / "abeja_notebooks" / "_sync" / "client.py"
    expected = generated.read_text()
    generated.write_text(expected + "# stray\n")

    done = _unasync(root=project_copy)

    assert done.returncode == 0, done.stderr
    assert generated.read_text() == expected


@pytest.mark.needs("ruff")  # the generator formats with ruff
def test_a_rule_that_matches_nothing_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    unasync = _load_unasync()
    stale = unasync.Rule(r"\bno_such_name\b", "x", "a stale rule")
    monkeypatch.setattr(unasync, "RULES", (*unasync.RULES, stale))

    with pytest.raises(unasync.RuleError, match="no_such_name"):
        unasync.generate(ROOT)


def test_each_generated_module_says_so_and_names_its_source() -> None:
    for generated in sorted((PACKAGE / "_sync").glob("*.py")):
        if generated.name == "__init__.py":
            continue
        first = generated.read_text().splitlines()[0]
        assert first == (
            f"# Generated by scripts/unasync.py from abeja_notebooks/_async/{generated.name}: "
            "do not edit."
        )


def test_a_generated_module_names_the_sync_modules_not_the_async_ones() -> None:
    for generated in sorted((PACKAGE / "_sync").glob("*.py")):
        if generated.name == "__init__.py":
            continue
        body = generated.read_text().split("\n", 2)[2]  # after the two header lines
        assert "_async" not in body, generated.name


def _imports(path: Path) -> set[str]:
    names = set[str]()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names.add(node.module)
    return names


def test_the_sync_modules_never_import_asyncio_or_the_async_ones() -> None:
    for path in (PACKAGE / "_sync").glob("*.py"):
        imported = _imports(path)
        assert "asyncio" not in imported, path.name
        assert not {name for name in imported if "_async" in name}, path.name


def test_a_sync_user_never_imports_asyncio_or_the_async_client() -> None:
    notebook = (ROOT / "tests" / "fixtures" / "notebook.json").read_text()
    code = (
        "import sys, httpx\n"
        "from abeja_notebooks import Client\n"
        f"body = {notebook!r}.encode()\n"
        "answer = lambda request: httpx.Response(200, content=body)\n"
        "http = httpx.Client(transport=httpx.MockTransport(answer))\n"
        "with Client(organization_id='1410000000000', auth_token='t', http_client=http) as c:\n"
        "    c.notebooks.get('train-resnet', '1410000000000').refresh()\n"
        "loaded = {'asyncio', 'abeja_notebooks._async.manager', 'abeja_notebooks._async.client'}\n"
        "print(sorted(loaded & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )

    assert done.stdout.strip() == "[]"


def _facade() -> tuple[dict[str, str], list[str], dict[str, str]]:
    """The three lists of ``__init__.py``: the type checkers' imports, ``__all__``, ``_LAZY``."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    imported: dict[str, str] = {}
    exported: list[str] = []
    lazy: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If):  # if TYPE_CHECKING:
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                assert statement.module is not None
                for alias in statement.names:
                    imported[alias.name] = "." + statement.module
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            assert isinstance(target, ast.Name)
            if target.id == "__all__":
                exported = ast.literal_eval(node.value)
            elif target.id == "_LAZY":
                lazy = ast.literal_eval(node.value)
    return imported, exported, lazy


def test_the_facade_lists_each_public_name_once_and_alike() -> None:
    imported, exported, lazy = _facade()

    assert sorted(exported) == sorted(set(exported)), "a name is listed twice in __all__"
    assert set(exported) == {*imported, "__version__"}
    assert lazy == imported


def test_every_lazy_public_name_loads_from_where_the_facade_says() -> None:
    import abeja_notebooks

    _, exported, lazy = _facade()
    for name in exported:
        value = getattr(abeja_notebooks, name)
        if name in lazy:
            module = importlib.import_module(lazy[name], "abeja_notebooks")
            assert getattr(module, name) is value


def test_no_module_of_the_package_is_over_the_size_limit() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }

    assert too_long == {}
