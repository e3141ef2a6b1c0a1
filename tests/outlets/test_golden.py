"""Golden tests: every stored page of a registered outlet → its reviewed expected JSON, field by field.

The golden files are reviewed by hand against the page, never regenerated blindly from the extractor.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from scraper.article import Article
from scraper.outlets import outlet_for_url
from scraper.text import is_boilerplate, normalize

from .pages import GOLDEN, GOLDEN_FILES, PAGES, load_json, outlet_pages, page_for_golden, require_pages

ARTICLE_FIELDS = set(Article.__dataclass_fields__)


def extract_golden_page(golden: Path) -> Article:
    file, url = page_for_golden(golden)
    return outlet_for_url(url).extract((PAGES / file).read_bytes(), url)


@pytest.fixture(params=GOLDEN_FILES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def golden(request: pytest.FixtureRequest) -> Path:
    require_pages()
    path: Path = request.param
    return path


def test_golden_files_exist() -> None:
    assert GOLDEN_FILES, f"no golden files under {GOLDEN}"


def test_every_outlet_page_has_a_golden_file() -> None:
    missing = [file for file in outlet_pages() if not any(g.stem == Path(file).stem for g in GOLDEN_FILES)]
    assert not missing, f"pages of registered outlets without a golden file: {missing}"


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_golden_file_holds_every_article_field(path: Path) -> None:
    assert set(load_json(path)) == ARTICLE_FIELDS


def test_extraction_matches_golden(golden: Path) -> None:
    expected: dict[str, Any] = load_json(golden)
    actual = extract_golden_page(golden).to_dict()
    assert actual["outlet"] == golden.parent.name
    mismatched = {
        field: {"expected": value, "actual": actual.get(field)}
        for field, value in expected.items()
        if actual.get(field) != value
    }
    assert not mismatched, f"fields differing from {golden.name}: {sorted(mismatched)}\n{mismatched}"


class TestInvariants:
    """What holds for every page of every outlet, golden file or not."""

    @pytest.fixture
    def article(self, golden: Path) -> Article:
        return extract_golden_page(golden)

    def test_title_and_body_are_not_empty(self, article: Article) -> None:
        assert article.title
        assert article.body

    def test_no_empty_or_unnormalized_paragraph(self, article: Article) -> None:
        assert all(p and p == normalize(p) for p in article.body)

    def test_no_boilerplate_paragraph(self, article: Article) -> None:
        assert [p for p in article.body if is_boilerplate(p)] == []

    def test_every_datetime_has_a_timezone(self, article: Article) -> None:
        stamps = [d for d in (article.published_at, article.updated_at) if isinstance(d, datetime)]
        assert article.published_at is not None
        assert all(d.utcoffset() is not None for d in stamps)

    def test_no_caption_inside_body(self, article: Article) -> None:
        joined = "\n".join(article.body)
        assert [i.caption for i in article.images if i.caption and i.caption in joined] == []

    def test_bylines_are_not_body(self, article: Article) -> None:
        assert not set(article.body) & set(article.authors)
