"""The report of a conformance run: what it met, the emulator that answers the same way, and
what it cleaned up, without the organization, credentials or other notebooks' data."""

from __future__ import annotations

import math
import platform
import re
from typing import Any, Final, cast

from abeja_notebooks import __version__

from . import _conformance_forms as forms
from ._conformance import Conformance, Outcome

__all__ = ["emulator_of", "forms_table", "report_of"]

_EMAIL: Final = re.compile(r"[^\s@\"'<>()]+@[^\s@\"'<>()]+\.[A-Za-z]{2,}")


def emulator_of(run: Conformance) -> dict[str, Any]:
    """The emulator flags that answer as the server did, and what no flag reproduces."""
    catalogued = {
        name: labels
        for name, labels in run.seen.items()
        if name in forms.FORMS or name in forms.TIME_FORMS
    }
    dialect, missing = forms.dialect_for(catalogued)
    missing += [
        name
        for name, labels in run.seen.items()
        if name not in catalogued and labels != [run.expected[name]]
    ]
    timing: list[str] = []
    bounds = run.timing_bounds.get("start", run.timing_bounds.get("launch"))
    if bounds is not None:  # the upper bound, rounded up: Running is seen no earlier there
        timing = ["--start-delay", f"{math.ceil(round(bounds[1] * 10, 6)) / 10:.1f}"]
    args = dialect.to_args()
    return {
        "args": args,
        "timing_args": timing,
        "command": " ".join(["python -m abeja_notebooks.testing", *args, *timing]),
        "not_reproduced": missing,
    }


def forms_table(run: Conformance, reproduced_by: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Every form met: observed, expected, where, and the flag that reproduces a
    difference."""
    rows: list[dict[str, Any]] = []
    for name, labels in run.seen.items():
        differs = labels != [run.expected[name]]
        rows.append(
            {
                "form": name,
                "observed": labels,
                "expected": run.expected[name],
                "differs": differs,
                "emulator_flags": reproduced_by.get(name, []) if differs else [],
                "steps": run.seen_in[name],
            }
        )
    return rows


def report_of(run: Conformance) -> dict[str, Any]:
    """The whole observation, for ``--output json`` and ``--report``: forms, timings,
    request ids, SDK version; no organization, credentials, or data of other notebooks."""
    emulator = emulator_of(run)
    flags = forms.flags_by_form(run.seen, emulator["args"])
    counts = {outcome.value: 0 for outcome in Outcome}
    for record in run.steps:
        counts[record.outcome.value] += 1
    report = {
        "report": "abeja-notebooks conformance",
        "format": 1,
        "run_id": run.run_id,
        "outcome": run.outcome,
        "counts": counts,
        "sdk": {"version": __version__, "python": platform.python_version()},
        "api_url": run.client.settings.base_url,
        "started_at": run.started_at.isoformat(timespec="seconds"),
        "seconds": round(run.seconds, 3),
        "settings": {
            "instance_type": run.settings.instance_type,
            "poll_interval": run.settings.poll_interval,
            "time_limit": run.settings.time_limit,
        },
        "steps": [record.to_json() for record in run.steps],
        "forms": forms_table(run, flags),
        "timings": run.timings,
        "timing_bounds": {action: list(pair) for action, pair in run.timing_bounds.items()},
        "emulator": emulator,
        "cleanup": {
            "created": run.created,
            "adopted": run.adopted,
            "deleted": run.deleted,
            "warnings": run.warnings,
            "left": [
                {"id": notebook_id, "why": why, "command": run.delete_command(notebook_id)}
                for notebook_id, why in run.left.items()
            ],
        },
    }
    return cast("dict[str, Any]", _scrubbed(report, run.client.organization_id))


def _scrubbed(value: object, organization_id: str | None) -> object:
    """``value`` with the organization id and anything shaped like an e-mail address replaced,
    in every string (the URLs in error messages hold the organization id)."""
    if isinstance(value, str):
        text = _EMAIL.sub("<e-mail>", value)
        return text.replace(organization_id, "<organization>") if organization_id else text
    mapping = forms.as_object(value)
    if mapping is not None:
        return {key: _scrubbed(item, organization_id) for key, item in mapping.items()}
    items = forms.as_array(value)
    return [_scrubbed(item, organization_id) for item in items] if items else value
