"""The docstring rules of the API reference, checked statically with griffe.

The rules (Google style, as mkdocstrings renders them):

1. Every name in ``abeja_notebooks.__all__`` and ``abeja_notebooks.testing.__all__`` has a
   docstring: classes and functions their own, constants and type aliases an attribute docstring
   (a string right after the assignment).
2. Every public member (no leading underscore) of those classes, its own or inherited from a
   class of this package, has a docstring: methods, properties, fields and enum members. A field
   or attribute may instead be named in the ``Attributes:`` section of its class (or of a class
   of this package it inherits from). Members inherited from outside the package (pydantic's
   ``BaseModel``, ``Exception``, ...) are documented upstream and skipped.
3. Every public function and method with parameters has an ``Args:`` section naming each of them
   (``self``/``cls`` aside; ``*args``/``**kwargs`` by name). A method that only forwards (a bound
   notebook's ``nb.start()``) may instead name its full entry in single backticks
   (`` `Notebooks.start` ``, which the site links: scripts/crossrefs.py), whose ``Args:`` must then
   name the parameters it leaves out. Dunder methods are exempt, except the
   constructor: each ``__init__`` parameter is named in the ``Args:`` of the class or of
   ``__init__``, or is a documented field or attribute of the same name (dataclass fields,
   exception attributes set from the argument of the same name).
4. Every public function and method that returns something (an annotation other than
   ``None``/``NoReturn``) has a ``Returns:`` or ``Yields:`` section; properties are exempt (their
   docstring says what they are).

griffe comes with the docs toolchain, which the lowest-dependency run does not install: only
tests/docs/test_docstrings.py imports this module, inside tests marked ``needs("griffe")``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import griffe

_K = griffe.DocstringSectionKind


def _load_script(name: str) -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CROSSREFS = _load_script("crossrefs")
"""The site's resolver of single-backtick names (a Griffe extension, scripts/crossrefs.py)."""


def _target(obj: griffe.Object | griffe.Alias) -> griffe.Object:
    return obj.final_target if isinstance(obj, griffe.Alias) else obj


def _sections(obj: griffe.Object) -> list[griffe.DocstringSection]:
    return [] if obj.docstring is None else obj.docstring.parse("google")


def _named(obj: griffe.Object, *kinds: griffe.DocstringSectionKind) -> set[str]:
    names: set[str] = set()
    for section in _sections(obj):
        if section.kind in kinds:
            items: list[griffe.DocstringNamedElement] = section.value
            names.update(item.name.lstrip("*") for item in items)
    return names


class Checker:
    """Applies the rules of the module docstring to the classes and functions of ``root``."""

    def __init__(self, root: str = "abeja_notebooks", package: griffe.Module | None = None) -> None:
        self.root = root
        self.package = package
        self.problems: list[str] = []
        self._seen: set[str] = set()

    def _linked(self, fn: griffe.Function) -> set[str]:
        """The parameters documented by the functions ``fn``'s docstring names in backticks."""
        if fn.docstring is None or self.package is None:
            return set()
        names = set[str]()
        for span in CROSSREFS.CODE_SPAN.finditer(fn.docstring.value):
            path = CROSSREFS.resolve(self.package, fn.path, span["name"])
            if path is None:
                continue
            target = _target(self.package[path.removeprefix(f"{self.root}.")])
            if isinstance(target, griffe.Function):
                names |= _named(target, _K.parameters, _K.other_parameters)
        return names

    def _ours(self, obj: griffe.Object) -> bool:
        return obj.path.split(".")[0] == self.root

    def function(self, where: str, fn: griffe.Function) -> None:
        if fn.docstring is None:
            self.problems.append(f"{where}: no docstring")
            return
        documented = _named(fn, _K.parameters, _K.other_parameters) | self._linked(fn)
        for parameter in fn.parameters:
            if parameter.name not in ("self", "cls") and parameter.name not in documented:
                self.problems.append(f"{where}: parameter {parameter.name!r} not under Args:")
        returns = str(fn.returns) if fn.returns is not None else "None"
        if returns not in ("None", "NoReturn") and "property" not in fn.labels:
            kinds = {section.kind for section in _sections(fn)}
            if not kinds & {_K.returns, _K.yields}:
                self.problems.append(f"{where}: returns {returns} but has no Returns:/Yields:")

    def klass(self, where: str, cls: griffe.Class) -> None:
        if cls.path in self._seen:
            return
        self._seen.add(cls.path)
        if cls.docstring is None:
            self.problems.append(f"{where}: no docstring")
        # Attributes: sections of this class and of the package's classes it inherits from.
        attributes_doc = set[str]()
        for ancestor in [cls, *cls.mro()]:
            if self._ours(ancestor):
                attributes_doc |= _named(ancestor, _K.attributes)
        members = {name: _target(member) for name, member in cls.all_members.items()}
        documented_fields = {
            name
            for name, member in members.items()
            if isinstance(member, griffe.Attribute)
            and (member.docstring is not None or name in attributes_doc)
        }
        for name, member in members.items():
            if not self._ours(member):
                continue
            if name == "__init__" and isinstance(member, griffe.Function):
                self._constructor(where, cls, member, documented_fields)
            elif name.startswith("_"):
                continue
            elif isinstance(member, griffe.Function):
                self.function(f"{where}.{name}", member)
            elif isinstance(member, griffe.Class):
                self.klass(f"{where}.{name}", member)
            elif name not in documented_fields:
                self.problems.append(f"{where}.{name}: no docstring and not under Attributes:")

    def _constructor(
        self, where: str, cls: griffe.Class, init: griffe.Function, fields: set[str]
    ) -> None:
        if init.path in self._seen:  # an inherited constructor is checked once, where written
            return
        self._seen.add(init.path)
        owner = init.parent if isinstance(init.parent, griffe.Class) else cls
        documented = (
            _named(owner, _K.parameters, _K.other_parameters)
            | _named(init, _K.parameters, _K.other_parameters)
            | fields
        )
        for parameter in init.parameters:
            if parameter.name not in ("self", "cls") and parameter.name not in documented:
                self.problems.append(
                    f"{where}(): constructor parameter {parameter.name!r} is not documented"
                )


def check_public_names(root: Path, names: Iterable[tuple[str, str]]) -> list[str]:
    """Apply the rules to ``(module, name)`` pairs of the package found under ``root``.

    Returns:
        One line per broken rule (empty when every name is documented).
    """
    package = griffe.load(
        "abeja_notebooks", search_paths=[str(root)], resolve_aliases=True, resolve_external=False
    )
    assert isinstance(package, griffe.Module)
    checker = Checker(package=package)
    for module_name, name in names:
        path = f"{module_name}.{name}"
        obj = _target(package[path.removeprefix("abeja_notebooks.")])
        if isinstance(obj, griffe.Class):
            checker.klass(path, obj)
        elif isinstance(obj, griffe.Function):
            checker.function(path, obj)
        elif obj.docstring is None:
            checker.problems.append(f"{path}: no docstring")
    return checker.problems


def check_classes(directory: Path, module_name: str, class_names: Iterable[str]) -> list[str]:
    """Apply the rules to classes of a module of ``directory`` (for testing the rules).

    Returns:
        One line per broken rule.
    """
    module = griffe.load(module_name, search_paths=[str(directory)])
    assert isinstance(module, griffe.Module)
    checker = Checker(root=module_name, package=module)
    for name in class_names:
        cls = module[name]
        assert isinstance(cls, griffe.Class)
        checker.klass(name, cls)
    return checker.problems


def unresolved_names(root: Path, names: Iterable[tuple[str, str]]) -> list[str]:
    """The single-backtick names in the rendered docstrings that name no rendered object.

    Returns:
        ``path: `name` `` for each span the site could not link.
    """
    package = griffe.load(
        "abeja_notebooks", search_paths=[str(root)], resolve_aliases=True, resolve_external=False
    )
    assert isinstance(package, griffe.Module)
    unresolved: list[str] = []
    for module_name, name in names:
        obj = _target(package[f"{module_name}.{name}".removeprefix("abeja_notebooks.")])
        for each in CROSSREFS.objects(obj):
            text = each.docstring.value if each.docstring else ""
            for span in CROSSREFS.CODE_SPAN.finditer(text):
                if CROSSREFS.resolve(package, each.path, span["name"]) is None:
                    unresolved.append(f"{each.path}: {span[0]}")
    return unresolved
