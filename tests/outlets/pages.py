"""Reference pages for the outlet tests: where they are, which outlet answers for each, their golden files.

The reference pages are never copied into the repo: they are read from ../shared (present in CI).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from scraper.errors import UnknownOutletError
from scraper.outlets import outlet_for_url

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO.parent / "shared" / "pages"
GOLDEN = REPO / "tests" / "golden"
FIXTURES = REPO / "tests" / "fixtures" / "outlets"
GOLDEN_FILES = sorted(GOLDEN.glob("*/*.json"))


def require_pages() -> Path:
    if not PAGES.is_dir():
        pytest.skip(f"reference pages not found at {PAGES}: ../shared is present in CI")
    return PAGES


def manifest_rows() -> list[dict[str, str]]:
    """The rows of MANIFEST.tsv: file (relative to pages/), kind, url, source, notes."""
    with (require_pages() / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def manifest() -> dict[str, str]:
    """Page file (relative to pages/) → the URL it was captured from."""
    return {row["file"]: row["url"] for row in manifest_rows()}


def is_article(kind: str) -> bool:
    """An article page (a video article too), real or reconstructed; not a listing, feed or error page."""
    return kind.startswith(("article", "video"))


def is_real(kind: str) -> bool:
    return "RECONSTRUCTED" not in kind


def outlet_pages() -> dict[str, str]:
    """The article pages of the manifest that a registered outlet answers for."""
    found = {}
    for file, url in ((row["file"], row["url"]) for row in manifest_rows() if is_article(row["kind"])):
        try:
            outlet_for_url(url)
        except UnknownOutletError:
            continue
        found[file] = url
    return found


def page_for_golden(golden: Path) -> tuple[str, str]:
    """The page file (relative to pages/) and URL a golden file describes: same stem."""
    matches = [(file, url) for file, url in manifest().items() if Path(file).stem == golden.stem]
    assert len(matches) == 1, f"{golden.name}: expected one page named {golden.stem}.html, found {matches}"
    return matches[0]


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
