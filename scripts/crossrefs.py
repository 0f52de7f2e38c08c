"""Link the names docstrings mention to their API reference entries, on the site only.

Docstrings name another public object in single backticks, as plain Markdown: `` `Notebook` ``,
`` `AsyncNotebooks.start` ``, `` `ManualClock` ``. That reads cleanly in an editor's hover and in
``help()``. When mkdocstrings renders the reference, this Griffe extension (configured in
``mkdocs.yml``) turns each such span that names a rendered object into an autorefs link, so the
site links it. Double backticks (``` ``nb.start()`` ```) stay literal code and are never linked.

How a name resolves, for a docstring of an object under ``abeja_notebooks.testing``: first
``abeja_notebooks.testing.<name>``, then ``abeja_notebooks.<name>``; elsewhere the other way
round. The first dotted part must be exported (``__all__``) by that module, every other part a
public member with a docstring of its own (one the reference renders); anything else (a
parameter, a private helper, a field documented in its class's ``Attributes:``) stays plain code.

The site's pages follow the same convention: scripts/mkdocs_hooks.py links their spans with
this resolver.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import griffe

ROOT = "abeja_notebooks"

CODE_SPAN = re.compile(r"(?<![`\[])`(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)`(?![`\]])")
"""A single-backtick span holding a dotted name, not already part of a link."""


def _public_modules(package: griffe.Module, owner: str) -> list[griffe.Module]:
    """The modules whose exports a docstring of ``owner`` may name, in the order tried."""
    modules = [package]
    testing = package.members.get("testing")
    if isinstance(testing, griffe.Module):
        modules.append(testing)
        if owner.startswith(testing.path + "."):
            modules.reverse()
    return modules


def resolve(package: griffe.Module, owner: str, name: str) -> str | None:
    """The full path of the rendered object ``name`` refers to in a docstring of ``owner``.

    Args:
        package: The loaded package (``abeja_notebooks``).
        owner: The path of the object whose docstring mentions ``name``.
        name: The text inside the backticks, e.g. ``Notebooks.start``.

    Returns:
        e.g. ``abeja_notebooks.Notebooks.start``, or ``None`` when it names nothing rendered.
    """
    first, *rest = name.split(".")
    if any(part.startswith("_") for part in rest):
        return None
    for module in _public_modules(package, owner):
        if first not in (module.exports or ()):
            continue
        try:
            found = module[name]
            target = found.final_target if isinstance(found, griffe.Alias) else found
        except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
            continue
        if target.docstring is None:
            return None  # not rendered (a field documented in its class's Attributes:)
        return f"{module.path}.{name}"
    return None


def objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    """``obj`` and every object defined under it (aliases skipped: each object once)."""
    yield obj
    for member in obj.members.values():
        if not isinstance(member, griffe.Alias):
            yield from objects(member)


def link(package: griffe.Module, owner: str, text: str) -> str:
    """``text`` with each span that names a rendered object made an autorefs link."""

    def replace(match: re.Match[str]) -> str:
        path = resolve(package, owner, match["name"])
        return match[0] if path is None else f"[{match[0]}][{path}]"

    return CODE_SPAN.sub(replace, text)


class CodeSpanLinks(griffe.Extension):
    """Rewrites the package's docstrings once it is loaded; see the module docstring."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Link the spans of every docstring of ``pkg`` (only ``abeja_notebooks``)."""
        if pkg.name != ROOT:
            return
        for obj in objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = link(pkg, obj.path, obj.docstring.value)
