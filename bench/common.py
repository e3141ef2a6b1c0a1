"""What every benchmark shares: timing to a stable size, medians of rounds, RSS, and the result rows."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO.parent / "shared" / "pages"
GOLDEN = REPO / "tests" / "golden"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vnnews-bench"


@dataclass(frozen=True)
class Settings:
    """How hard to try: ``quick`` for CI-sized runs, full sizes otherwise."""

    rounds: int = 5  # repeats of every measurement; figures are medians over them
    min_seconds: float = 0.3  # each timed loop repeats its input until it has run this long
    pages: Path = PAGES
    cache_dir: Path = DEFAULT_CACHE

    @classmethod
    def quick(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {"rounds": 1, "min_seconds": 0.0, **overrides}
        return cls(**values)  # type: ignore[arg-type]


@dataclass
class Row:
    """One line of the report: a figure, optionally compared with a baseline measured in the same run."""

    benchmark: str
    figure: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None  # None: no target for this row
    notes: list[str] = field(default_factory=list)


def rate(work: Callable[[], object], items: int, min_seconds: float) -> float:
    """Items per second of ``work`` (which handles ``items`` items per call), repeated ``min_seconds`` long."""
    calls = 0
    started = time.perf_counter()
    while True:
        work()
        calls += 1
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds:
            return calls * items / elapsed


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (0 < fraction <= 1) of ``values``."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, -(-len(ordered) * fraction // 1) - 1))
    return ordered[int(index)]


def rss_mb() -> float:
    """Resident set size of this process now (VmRSS), in MB."""
    return _status_kb("VmRSS") / 1024


def peak_rss_mb() -> float:
    """The high-water mark of this process's resident set (VmHWM), in MB."""
    return _status_kb("VmHWM") / 1024


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def per_second(value: float, unit: str = "") -> str:
    number = f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
    return f"{number} {unit}/s" if unit else f"{number}/s"


def percent(value: float) -> str:
    return f"{value:.0%}"


def times(value: float) -> str:
    return f"{value:.1f}×"


def table(rows: Sequence[Row]) -> str:
    """A Markdown table of the rows (readable as plain text too)."""
    header = ("benchmark", "figure", "baseline (same run)", "ratio", "target", "met")
    cells = [
        (r.benchmark, r.figure, r.baseline, r.ratio, r.target, {True: "yes", False: "NO", None: ""}[r.met])
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(c) for c in cells]
    notes = [f"- {note}" for r in rows for note in r.notes]
    return "\n".join(out + (["", *notes] if notes else []))
