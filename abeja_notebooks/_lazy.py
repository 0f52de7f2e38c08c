"""Public names that load on first use (PEP 562), for the package and its ``testing`` package.

Each facade lists its names in ``__all__``, imports them for type checkers under
``TYPE_CHECKING``, and maps each to its module in ``_LAZY``; its module-level ``__getattr__``
calls :func:`load`. ``tests/test_layout.py`` holds the three lists equal.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, MutableMapping

__all__ = ["load"]


def load(
    package: str, lazy: Mapping[str, str], namespace: MutableMapping[str, object], name: str
) -> object:
    """Import ``name`` from the module ``lazy`` maps it to, and keep it in ``namespace``.

    Args:
        package: The facade's ``__name__`` (relative module paths are resolved against it).
        lazy: Each public name, with the module that defines it (``"._errors"``).
        namespace: The facade's ``globals()``: later lookups find the name there directly.
        name: The name asked for.

    Returns:
        The object.

    Raises:
        AttributeError: ``name`` is not one of the facade's public names.
    """
    module = lazy.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value: object = getattr(importlib.import_module(module, package), name)
    namespace[name] = value
    return value
