"""Show the API reference in public names only: a Griffe extension, configured in ``mkdocs.yml``.

The package annotates with private helpers that mean nothing to a reader: ``status: Status``
(an ``Annotated[NotebookStatus, ...]`` that parses unknown statuses), ``id: IdStr``,
``created_at: Timestamp``, ``timeout: float = DEFAULT_WAIT_TIMEOUT``, the emulator's
``Literal`` aliases. Once the package is loaded, this extension rewrites every annotation and
default of the rendered objects so that each name in them is public:

- a private type alias becomes what it stands for, without ``Annotated[...]``'s metadata
  (``Status`` -> ``NotebookStatus``, ``IdStr`` -> ``str``, ``ListForm`` ->
  ``Literal['envelope', 'bare']``);
- a private constant used as a default becomes its value (``DEFAULT_WAIT_TIMEOUT`` -> ``600.0``);
- any other private name (a type variable, a parameter) stays as plain text, unlinked;
- a class whose constructor takes a private type (``Notebooks(transport)``: users get one from
  ``client.notebooks``, never build one) is shown without its constructor and the ``Args:``
  that describe it;
- examples lose their ``# doctest: +SKIP`` directives, so that a copied line is only code (the
  ``>>>`` prompts are left out of a copy by the site's stylesheet);
- fields lose the ``class-attribute`` / ``instance-attribute`` / ``module-attribute`` labels,
  which say how Python stores them, not what they are.

"Private" means a path with a segment starting with ``_`` (``abeja_notebooks._models.Status``)
that no public module exports. tests/docs/test_site.py checks the built reference for any name
still pointing into a private module.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import griffe

ROOT = "abeja_notebooks"
PUBLIC_MODULES = ("abeja_notebooks", "abeja_notebooks.testing")
STORAGE_LABELS = {"class-attribute", "instance-attribute", "module-attribute"}
DOCTEST_DIRECTIVE = re.compile(r"[ \t]*# doctest: [^\n]*")


def _is_private(path: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in path.split("."))


def _lookup(package: griffe.Module, path: str) -> griffe.Object | griffe.Alias | None:
    if path != ROOT and not path.startswith(ROOT + "."):
        return None
    try:
        return package[path.removeprefix(ROOT).removeprefix(".")] if path != ROOT else package
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _final(obj: griffe.Object | griffe.Alias) -> griffe.Object | None:
    try:
        return obj.final_target if isinstance(obj, griffe.Alias) else obj
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def public_paths(package: griffe.Module) -> set[str]:
    """The paths of the objects the public modules export (where they are defined).

    Returns:
        e.g. ``abeja_notebooks._models.NotebookStatus`` (exported as ``NotebookStatus``).
    """
    paths: set[str] = set()
    for module_path in PUBLIC_MODULES:
        module = _lookup(package, module_path)
        if not isinstance(module, griffe.Module):
            continue
        for name in module.exports or ():
            member = module.members.get(str(name))
            target = None if member is None else _final(member)
            if target is not None:
                paths.add(target.path)
    return paths


class _Rewriter:
    """Replaces the private names in expressions (see the module docstring)."""

    def __init__(self, package: griffe.Module) -> None:
        self.package = package
        self.public = public_paths(package)

    def _private_target(self, name: griffe.ExprName) -> tuple[bool, griffe.Object | None]:
        """Whether ``name`` points into a private module, and what it points to."""
        try:
            path = name.canonical_path
        except (griffe.NameResolutionError, griffe.AliasResolutionError, griffe.CyclicAliasError):
            return False, None
        if not path.startswith(ROOT) or not _is_private(path) or path in self.public:
            return False, None
        found = _lookup(self.package, path)
        target = None if found is None else _final(found)
        if target is not None and target.path in self.public:
            return False, None
        return True, target

    def expression(self, expr: Any, depth: int = 0) -> Any:
        """``expr`` with its private names replaced (a new value where the top one changes)."""
        if depth > 10:
            return expr
        if isinstance(expr, griffe.ExprName):
            private, target = self._private_target(expr)
            if not private:
                return expr
            if isinstance(target, griffe.Attribute) and target.value is not None:
                value = target.value
                if isinstance(value, griffe.ExprCall) and str(value.function) == "TypeVar":
                    return expr.name  # a type variable: its name, as text
                return self.expression(_unannotated(value), depth + 1)
            if isinstance(target, griffe.Class):
                return expr  # a private class: see _hide_private_constructors
            return expr.name
        if isinstance(expr, griffe.Expr):
            for field in dataclasses.fields(expr):
                if field.name == "parent":
                    continue
                value = getattr(expr, field.name)
                if isinstance(value, list):
                    items: list[Any] = value
                    setattr(expr, field.name, [self.expression(v, depth) for v in items])
                elif isinstance(value, griffe.Expr):
                    setattr(expr, field.name, self.expression(value, depth))
        return expr

    def takes_private_class(self, function: griffe.Function) -> bool:
        """Whether a parameter of ``function`` is annotated with a private class."""
        for parameter in function.parameters:
            annotation = parameter.annotation
            if not isinstance(annotation, griffe.Expr):
                continue
            for name in annotation.iterate(flat=True):
                if isinstance(name, griffe.ExprName):
                    private, target = self._private_target(name)
                    if private and isinstance(target, griffe.Class):
                        return True
        return False


def _unannotated(value: Any) -> Any:
    """``X`` for ``Annotated[X, ...]``; anything else as it is."""
    if isinstance(value, griffe.ExprSubscript) and str(value.left).endswith("Annotated"):
        inner = value.slice
        if isinstance(inner, griffe.ExprTuple) and inner.elements:
            return inner.elements[0]
    return value


def without_section(docstring: str, title: str) -> str:
    """``docstring`` without its Google-style section ``title`` (``"Args"``).

    Args:
        docstring: A cleaned docstring (no common indentation).
        title: The section's title, without the colon.

    Returns:
        The docstring with the title line and its indented lines removed.
    """
    lines = docstring.split("\n")
    kept: list[str] = []
    inside = False
    for line in lines:
        if line == f"{title}:":
            inside = True
            continue
        if inside and (not line.strip() or line.startswith((" ", "\t"))):
            continue
        inside = False
        kept.append(line)
    return "\n".join(kept).strip()


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    """``obj`` and every object defined under it (aliases skipped: each object once)."""
    yield obj
    for member in obj.members.values():
        if not isinstance(member, griffe.Alias):
            yield from _objects(member)


def rewrite(package: griffe.Module) -> None:
    """Apply the module docstring's rules to every object of ``package``."""
    rewriter = _Rewriter(package)
    for obj in _objects(package):
        if obj.docstring is not None:
            obj.docstring.value = DOCTEST_DIRECTIVE.sub("", obj.docstring.value)
        if isinstance(obj, griffe.Attribute):
            obj.labels -= STORAGE_LABELS
            obj.annotation = rewriter.expression(obj.annotation)
            obj.value = rewriter.expression(obj.value)
        elif isinstance(obj, griffe.Function):
            for parameter in obj.parameters:
                parameter.annotation = rewriter.expression(parameter.annotation)
                parameter.default = rewriter.expression(parameter.default)
            obj.returns = rewriter.expression(obj.returns)
        elif isinstance(obj, griffe.Class):
            init = obj.members.get("__init__")
            if isinstance(init, griffe.Function) and rewriter.takes_private_class(init):
                del obj.members["__init__"]
                if obj.docstring is not None:
                    obj.docstring.value = without_section(obj.docstring.value, "Args")


class PublicTypes(griffe.Extension):
    """Rewrites the package's annotations once it is loaded; see the module docstring."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Rewrite ``pkg`` (only ``abeja_notebooks``).

        Args:
            pkg: The package just loaded.
            loader: The loader (unused).
            **kwargs: Other event arguments (unused).
        """
        if pkg.name == ROOT:
            rewrite(pkg)
