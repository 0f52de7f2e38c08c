"""Draw the documentation's diagrams as SVG: ``python scripts/diagrams.py`` rewrites them.

- ``docs/images/lifecycle.svg``: a notebook's statuses, what moves it between them, and the
  calls the API refuses with ``409 Conflict`` (the notebooks guide);
- ``docs/images/retries.svg``: how the SDK decides to retry a failed attempt (the retries
  guide).

Plain SVG, drawn here from coordinates with no dependency, so the site loads nothing from
anywhere and GitHub shows the same pictures. The facts they show are kept in ``LIFECYCLE`` and
``RETRY_ROWS`` below, which tests/docs/test_diagrams.py checks against the emulator and the
SDK; ``--check`` fails when a committed file differs from what this script draws.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"

LIFECYCLE: dict[str, dict[str, str | int]] = {
    # call -> {status it is made in: the status it leads to, or the refusal's HTTP status}
    "start": {"Pending": 409, "Running": 409, "Stopped": "Pending", "Failed": "Pending"},
    "stop": {"Pending": "Stopped", "Running": "Stopped", "Stopped": 409, "Failed": 409},
}
"""What a start or a stop does in each status (the emulator answers the same)."""

RETRY_ROWS: list[tuple[str, str, str]] = [
    # (failure, get/list/update/delete/logs/start/stop, create)
    ("the connection was never made", "retry", "retry"),
    ("429 or 503", "retry", "retry"),
    ("sent, then no answer", "retry", "raise"),
    ("408, 500, 502 or 504", "retry", "raise"),
    ("any other status", "raise", "raise"),
]
"""The retry decision, as the retries guide's table states it."""

FONT = "font-family='-apple-system,BlinkMacSystemFont,Segoe UI,Helvetica,Arial,sans-serif'"
INK = "#1f2328"
MUTED = "#57606a"
COLORS = {
    "Pending": "#fff8c5",
    "Running": "#dafbe1",
    "Stopped": "#eaeef2",
    "Failed": "#ffebe9",
    "retry": "#dafbe1",
    "raise": "#ffebe9",
    "question": "#ddf4ff",
}


@dataclass(frozen=True)
class Box:
    """A rounded box with centred text."""

    x: float
    y: float
    w: float
    h: float
    text: str
    fill: str

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def svg(self, size: int = 15, weight: str = "600") -> str:
        return (
            f"<rect x='{self.x}' y='{self.y}' width='{self.w}' height='{self.h}' rx='8' "
            f"fill='{self.fill}' stroke='{INK}' stroke-width='1.5'/>"
            f"<text x='{self.cx}' y='{self.cy + size / 3}' text-anchor='middle' "
            f"font-size='{size}' font-weight='{weight}' fill='{INK}'>{escape(self.text)}</text>"
        )


def text(x: float, y: float, words: str, *, size: int = 13, anchor: str = "middle") -> str:
    return (
        f"<text x='{x}' y='{y}' text-anchor='{anchor}' font-size='{size}' "
        f"fill='{MUTED}'>{escape(words)}</text>"
    )


def arrow(points: list[tuple[float, float]], dashed: bool = False) -> str:
    path = " ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y) in enumerate(points))
    dash = " stroke-dasharray='5 4'" if dashed else ""
    return (
        f"<path d='{path}' fill='none' stroke='{INK}' stroke-width='1.5'{dash} "
        "marker-end='url(#head)'/>"
    )


def document(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}' {FONT}>\n"
        f"<title>{escape(title)}</title>\n"
        "<defs><marker id='head' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='8' "
        f"markerHeight='8' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' "
        f"fill='{INK}'/></marker></defs>\n"
        f"<rect width='{width}' height='{height}' rx='10' fill='#ffffff'/>\n"
        + "\n".join(body)
        + "\n</svg>\n"
    )


def lifecycle() -> str:
    """The lifecycle diagram."""
    w, h = 150, 48
    pending = Box(150, 60, w, h, "Pending", COLORS["Pending"])
    running = Box(470, 60, w, h, "Running", COLORS["Running"])
    stopped = Box(470, 250, w, h, "Stopped", COLORS["Stopped"])
    failed = Box(150, 250, w, h, "Failed", COLORS["Failed"])
    refused_start = [s for s, to in LIFECYCLE["start"].items() if to == 409]
    refused_stop = [s for s, to in LIFECYCLE["stop"].items() if to == 409]
    body = [
        *(b.svg() for b in (pending, running, stopped, failed)),
        # create
        arrow([(30, pending.cy), (pending.x, pending.cy)]),
        text(70, pending.cy - 10, "create()"),
        # Pending -> Running
        arrow([(pending.x + w, pending.cy), (running.x, running.cy)]),
        text((pending.x + w + running.x) / 2, pending.cy - 10, "its server is up"),
        # Running -> Stopped
        arrow([(running.cx + 30, running.y + h), (stopped.cx + 30, stopped.y)]),
        text(running.cx + 38, 170, "stop()", anchor="start"),
        # Pending -> Stopped
        arrow([(pending.x + w, pending.y + h - 8), (stopped.x, stopped.y + 10)]),
        text(400, 125, "stop()"),
        # Stopped -> Pending (start)
        arrow([(stopped.x, stopped.y + h - 10), (pending.x + w - 20, pending.y + h)]),
        text(330, 212, "start()"),
        # Pending / Running -> Failed
        arrow([(pending.cx - 30, pending.y + h), (failed.cx - 30, failed.y)], dashed=True),
        text(pending.cx - 38, 160, "it could not run", anchor="end"),
        text(pending.cx - 38, 176, "(from Running too)", anchor="end"),
        # Failed -> Pending (start)
        arrow([(failed.cx + 30, failed.y), (pending.cx + 30, pending.y + h)]),
        text(failed.cx + 38, 200, "start()", anchor="start"),
        # the refusals
        f"<rect x='30' y='330' width='660' height='58' rx='8' fill='#fff' stroke='{MUTED}' "
        "stroke-dasharray='4 3'/>",
        text(
            360,
            354,
            f"409 Conflict: start() on {' or '.join(refused_start)}; "
            f"stop() on {' or '.join(refused_stop)}",
            size=14,
        ),
        text(360, 376, "delete() works in any status; a deleted notebook is gone (404)"),
    ]
    return document(720, 405, "The lifecycle of a notebook", body)


def retries() -> str:
    """The retry decision diagram."""
    body: list[str] = []
    col_failure, col_other, col_create = 30, 360, 560
    y = 30
    header = (
        ("A failed attempt", col_failure, "start"),
        ("get, list, update,", col_other + 70, "middle"),
        ("create", col_create + 70, "middle"),
    )
    for words, x, anchor in header:
        body.append(
            f"<text x='{x}' y='{y + 18}' text-anchor='{anchor}' font-size='15' "
            f"font-weight='600' fill='{INK}'>{escape(words)}</text>"
        )
    body.append(text(col_other + 70, y + 36, "delete, logs, start, stop", size=13))
    y += 56
    for failure, other, create in RETRY_ROWS:
        question = Box(col_failure, y, 300, 40, failure, COLORS["question"])
        body.append(question.svg(size=14, weight="500"))
        body.append(arrow([(question.x + question.w, question.cy), (col_other + 8, question.cy)]))
        for decision, x in ((other, col_other), (create, col_create)):
            body.append(Box(x + 10, y + 4, 120, 32, decision, COLORS[decision]).svg(size=14))
        y += 52
    notes = [
        "retry: wait Retry-After (up to max_retry_after) or the backoff, min(max_delay,",
        "initial_delay x 2^(n-1)) less up to jitter of it; then send again, while retries",
        "are left (max_retries) and the wait ends before the call's deadline; else raise.",
        "create: retried only when the server cannot have acted on it.",
    ]
    for i, line in enumerate(notes):
        body.append(text(col_failure, y + 22 + 18 * i, line, anchor="start"))
    return document(720, y + 22 + 18 * len(notes), "When the SDK retries", body)


DIAGRAMS = {"lifecycle.svg": lifecycle, "retries.svg": retries}


def main(argv: list[str] | None = None) -> int:
    """Write the diagrams, or with ``--check`` say which committed ones differ.

    Args:
        argv: The command line's arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail on a diff")
    args = parser.parse_args(argv)
    stale: list[str] = []
    for name, draw in DIAGRAMS.items():
        path = IMAGES / name
        drawn = draw()
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != drawn:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(drawn, encoding="utf-8")
    if stale:
        print("out of date (run python scripts/diagrams.py):", *stale, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
