"""Extraction quality on the reference pages: site-specific extractors vs the generic fallback (vs trafilatura).

For every page with an expected result (tests/golden/*/*.json, ../shared/pages/EXPECTED.json) it scores the
extracted body against the expected one with the metric of the Zyte article-extraction benchmark: precision,
recall and F1 of the multiset of word 4-gram shingles (words = ``re.findall(r"\\w+", text.lower())``), and counts
exact matches of title, publish time and authors. Prints one row per outlet and extractor, then the totals.

    .venv/bin/python bench/quality.py [--pages ../shared/pages]

trafilatura is scored too when the optional ``bench`` extra is installed (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from scraper.article import Article
from scraper.errors import VnnewsError
from scraper.outlets import generic_outlet, outlet_for_url
from scraper.text import normalize

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO.parent / "shared" / "pages"
GOLDEN = REPO / "tests" / "golden"
SHINGLE = 4


@dataclass(frozen=True)
class Case:
    """One reference page and what extracting it must give."""

    file: str  # relative to the pages directory
    url: str
    outlet: str
    title: str
    body: str
    published: datetime | None
    authors: tuple[str, ...]


@dataclass(frozen=True)
class Extracted:
    title: str = ""
    body: str = ""
    published: datetime | None = None
    authors: tuple[str, ...] = ()


@dataclass
class Score:
    """Sums over the pages of one outlet for one extractor."""

    pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    title: int = 0
    published: int = 0
    authors: int = 0
    failed: list[str] = field(default_factory=list)

    def add(self, case: Case, got: Extracted | None) -> None:
        self.pages += 1
        if got is None:
            self.failed.append(case.file)
            return
        p, r, f = prf(got.body, case.body)
        self.precision, self.recall, self.f1 = self.precision + p, self.recall + r, self.f1 + f
        self.title += normalize(got.title) == normalize(case.title)
        self.published += got.published == case.published
        self.authors += got.authors == case.authors


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = words(text)
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def prf(extracted: str, expected: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the extracted body's shingles against the expected body's."""
    got, want = shingles(extracted), shingles(expected)
    if not got and not want:
        return 1.0, 1.0, 1.0
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def load_cases(pages: Path) -> list[Case]:
    """EXPECTED.json entries first (written independently of the code), then the reviewed golden files."""
    urls = _manifest(pages)
    cases: dict[str, Case] = {}
    expected = json.loads((pages / "EXPECTED.json").read_text(encoding="utf-8"))["files"]
    for file, entry in expected.items():
        cases[file] = _case(file, entry["url"], entry, "published")
    by_stem = {Path(file).stem: file for file in urls}
    for golden in sorted(GOLDEN.glob("*/*.json")):
        file = by_stem.get(golden.stem)
        if file is not None and file not in cases:
            cases[file] = _case(
                file, urls[file], json.loads(golden.read_text(encoding="utf-8")), "published_at"
            )
    return list(cases.values())


def _manifest(pages: Path) -> dict[str, str]:
    lines = (pages / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {cells[0]: cells[2] for cells in (line.split("\t") for line in lines) if len(cells) > 2}


def _case(file: str, url: str, entry: dict[str, Any], published_key: str) -> Case:
    published = entry.get(published_key)
    return Case(
        file=file,
        url=url,
        outlet=outlet_for_url(url).key,
        title=entry["title"],
        body="\n".join(entry["body"]),
        published=datetime.fromisoformat(published) if published else None,
        authors=tuple(entry["authors"]),
    )


def _from_article(article: Article) -> Extracted:
    return Extracted(article.title, "\n".join(article.body), article.published_at, article.authors)


def site_specific(html: bytes, url: str) -> Extracted:
    return _from_article(outlet_for_url(url).extract(html, url))


def generic(html: bytes, url: str) -> Extracted:
    return _from_article(generic_outlet().extract(html, url))


def trafilatura_extractor() -> Callable[[bytes, str], Extracted] | None:
    """trafilatura's default extraction, or None when the optional dependency is absent."""
    try:
        import trafilatura
    except ImportError:
        return None

    def extract(html: bytes, url: str) -> Extracted:
        result = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        if result is None:
            raise VnnewsError("trafilatura found no article")
        data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
        authors = tuple(a.strip() for a in (data.get("author") or "").split(";") if a.strip())
        # trafilatura gives a date without a time: never an exact publish time.
        return Extracted(data.get("title") or "", data.get("text") or "", None, authors)

    return extract


def run(cases: Sequence[Case], pages: Path, extractors: dict[str, Callable[[bytes, str], Extracted]]) -> str:
    scores: dict[tuple[str, str], Score] = {}
    for case in cases:
        html = (pages / case.file).read_bytes()
        for name, extract in extractors.items():
            try:
                got: Extracted | None = extract(html, case.url)
            except VnnewsError:
                got = None
            for outlet in (case.outlet, "ALL"):
                scores.setdefault((outlet, name), Score()).add(case, got)
    return table(scores, list(extractors))


def table(scores: dict[tuple[str, str], Score], names: list[str]) -> str:
    header = f"{'outlet':<12} {'extractor':<12} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'title':>6} {'time':>6} {'authors':>7}"
    lines = [header, "-" * len(header)]
    outlets = [*sorted({outlet for outlet, _ in scores} - {"ALL"}), "ALL"]
    for outlet in outlets:
        for name in names:
            s = scores[(outlet, name)]
            n = s.pages
            time = "-" if name == "trafilatura" else f"{s.published}/{n}"
            lines.append(
                f"{outlet:<12} {name:<12} {n:>5} {s.precision / n:>6.3f} {s.recall / n:>6.3f} {s.f1 / n:>6.3f}"
                f" {f'{s.title}/{n}':>6} {time:>6} {f'{s.authors}/{n}':>7}"
                + (f"  failed: {', '.join(s.failed)}" if s.failed and outlet != "ALL" else "")
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--pages", type=Path, default=PAGES, help="the reference pages (MANIFEST.tsv, EXPECTED.json)"
    )
    args = parser.parse_args(argv)
    extractors: dict[str, Callable[[bytes, str], Extracted]] = {"site": site_specific, "generic": generic}
    traf = trafilatura_extractor()
    if traf is not None:
        extractors["trafilatura"] = traf
    print(run(load_cases(args.pages), args.pages, extractors))
    print(
        "\nP/R/F1: mean over pages of word 4-gram shingle precision/recall/F1 of the body (a failed page scores 0)."
    )
    if traf is None:
        print("trafilatura: not installed, column skipped (pip install -e '.[bench]').")
    else:
        print("trafilatura: its date has no time of day, so its publish time is not scored ('-').")
    return 0


if __name__ == "__main__":
    sys.exit(main())
