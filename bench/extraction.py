"""Extraction speed on the saved pages of every outlet with a golden page (tests/golden/<outlet>/).

Per outlet and over all pages: ``Outlet.extract`` of the page bytes (pages/s), against selectolax parsing
the same bytes and nothing else (the limit: every extraction starts with that parse) and, when installed,
``trafilatura.extract`` of the same bytes. Each round times the three one after the other on the same
pages; figures are medians over the rounds, ratios medians of the per-round ratios.

    .venv/bin/python -m bench.extraction [--quick]
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from bench.common import GOLDEN, Row, Settings, median, per_second, percent, rate, table, times
from scraper.outlets import get_outlet
from scraper.outlets.base import Outlet

PARSE_TARGET = 0.5  # extraction at least half as fast as parsing alone
TRAFILATURA_TARGET = 30.0  # and at least 30 times trafilatura


@dataclass(frozen=True)
class Page:
    outlet: Outlet
    url: str
    html: bytes


def golden_pages(pages_dir: Path) -> dict[str, list[Page]]:
    """Outlet key → its pages that have a golden file (matched by file stem through MANIFEST.tsv)."""
    with (pages_dir / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        manifest = {Path(row["file"]).stem: row for row in csv.DictReader(handle, delimiter="\t")}
    found: dict[str, list[Page]] = {}
    for golden in sorted(GOLDEN.glob("*/*.json")):
        row = manifest.get(golden.stem)
        if row is None:
            continue
        key = golden.parent.name
        html = (pages_dir / row["file"]).read_bytes()
        found.setdefault(key, []).append(Page(get_outlet(key), row["url"], html))
    return found


def trafilatura_extract() -> Callable[[bytes, str], object] | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def extract(html: bytes, url: str) -> object:
        return trafilatura.extract(html, url=url)

    return extract


@dataclass
class Figures:
    """Pages per second of one outlet (or of all pages) per round."""

    extract: list[float]
    parse: list[float]
    trafilatura: list[float]


def measure(settings: Settings) -> dict[str, Figures]:
    """Outlet key (and "all") → per-round pages/s of our extraction, parse-only and trafilatura."""
    by_outlet = golden_pages(settings.pages)
    traf = trafilatura_extract()
    results = {key: Figures([], [], []) for key in [*by_outlet, "all"]}
    for _ in range(settings.rounds):
        seconds = {"extract": 0.0, "parse": 0.0, "trafilatura": 0.0}
        for key, pages in by_outlet.items():
            figures = results[key]
            figures.extract.append(_rate(pages, lambda p: p.outlet.extract(p.html, p.url), settings))
            figures.parse.append(_rate(pages, lambda p: LexborHTMLParser(p.html), settings))
            if traf is not None:
                figures.trafilatura.append(_rate(pages, lambda p: traf(p.html, p.url), settings))
            for name in seconds:
                values = getattr(figures, name)
                seconds[name] += len(pages) / values[-1] if values else 0.0
        total = sum(map(len, by_outlet.values()))
        for name, spent in seconds.items():
            if spent:
                getattr(results["all"], name).append(total / spent)
    return results


def _rate(pages: Sequence[Page], work: Callable[[Page], object], settings: Settings) -> float:
    def one_pass() -> None:
        for page in pages:
            work(page)

    return rate(one_pass, len(pages), settings.min_seconds)


def rows(settings: Settings) -> list[Row]:
    if not (settings.pages / "MANIFEST.tsv").is_file():
        return [Row("extraction", "skipped", notes=[f"extraction: no reference pages at {settings.pages}"])]
    out: list[Row] = []
    for key, figures in measure(settings).items():
        name = f"extraction {key}" if key != "all" else "extraction, all pages"
        goal = key == "all"  # the targets are judged over all pages; each outlet is shown for the record
        vs_parse = median([e / p for e, p in zip(figures.extract, figures.parse, strict=True)])
        out.append(
            Row(
                name,
                per_second(median(figures.extract), "pages"),
                f"selectolax parse only {per_second(median(figures.parse))}",
                percent(vs_parse),
                f"≥ {percent(PARSE_TARGET)}" if goal else "",
                vs_parse >= PARSE_TARGET if goal else None,
            )
        )
        if figures.trafilatura:
            vs_traf = median([e / t for e, t in zip(figures.extract, figures.trafilatura, strict=True)])
            out.append(
                Row(
                    "",
                    "",
                    f"trafilatura.extract {per_second(median(figures.trafilatura))}",
                    times(vs_traf),
                    f"≥ {TRAFILATURA_TARGET:.0f}×" if goal else "",
                    vs_traf >= TRAFILATURA_TARGET if goal else None,
                )
            )
    if trafilatura_extract() is None:
        out[-1].notes.append(
            "extraction: trafilatura not installed (pip install -e '.[bench]'): no comparison"
        )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one short round")
    args = parser.parse_args(argv)
    settings = Settings.quick() if args.quick else Settings()
    print(table(rows(settings)))


if __name__ == "__main__":
    main()
