"""The golden files of the reconstructed pages agree with ../shared/pages/EXPECTED.json, written independently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scraper.errors import UnknownOutletError
from scraper.outlets import outlet_for_url

from .pages import GOLDEN, load_json, require_pages

# EXPECTED.json covers reconstructed pages only; these are the ones of registered outlets.
RECONSTRUCTED = (
    "congluan.vn/nhat-ban-han-quoc-dam-phan-han-gan-quan-he-post-reconstructed.html",
    "haiquanonline.com.vn/nhat-ban-va-han-quoc-tham-van-an-ninh-lan-dau-tien-sau-5-nam-reconstructed.html",
)
SAME_FIELDS = {
    "url": "url",
    "title": "title",
    "sapo": "sapo",
    "authors": "authors",
    "published": "published_at",
    "section": "section",
    "tags": "tags",
    "body": "body",
}


@pytest.fixture(params=RECONSTRUCTED)
def pair(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    """(EXPECTED.json entry, golden JSON) for one reconstructed page."""
    expected = load_json(require_pages() / "EXPECTED.json")["files"][request.param]
    outlet = outlet_for_url(expected["url"])
    golden = load_json(GOLDEN / outlet.key / f"{Path(request.param).stem}.json")
    return expected, golden


def test_every_reconstructed_page_of_an_outlet_is_checked() -> None:
    files = load_json(require_pages() / "EXPECTED.json")["files"]
    ours = {file for file, entry in files.items() if _has_outlet(entry["url"])}
    assert ours == set(RECONSTRUCTED)


def _has_outlet(url: str) -> bool:
    try:
        outlet_for_url(url)
    except UnknownOutletError:
        return False
    return True


def test_fields_agree(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    expected, golden = pair
    differing = {
        name: (expected[name], golden[field])
        for name, field in SAME_FIELDS.items()
        if expected[name] != golden[field]
    }
    assert not differing


def test_image_captions_agree(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    expected, golden = pair
    assert [image["caption"] for image in golden["images"] if image["caption"]] == expected["image_captions"]
    assert expected["video_captions"] == []


def test_must_not_contain_is_absent_from_body(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    expected, golden = pair
    joined = "\n".join(golden["body"])
    assert [s for s in expected["must_not_contain"] if s in joined] == []


def test_pages_exist_for_expected_entries() -> None:
    assert all((require_pages() / file).is_file() for file in RECONSTRUCTED)
