"""Per-outlet behaviour no golden file shows: hand-made pages, negative pages, URL quirks, the real-page flag."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from scraper.errors import NoArticleError
from scraper.outlets import all_outlets, generic_outlet, get_outlet, outlet_for_url

from .pages import FIXTURES, GOLDEN, is_article, is_real, manifest_rows, require_pages

# --- the real-page flag ------------------------------------------------------------------------------------


def test_checked_on_real_page_matches_the_golden_files() -> None:
    """True exactly for the outlets with a golden file of a real (not reconstructed) captured page."""
    real_stems = {
        Path(row["file"]).stem for row in manifest_rows() if is_article(row["kind"]) and is_real(row["kind"])
    }
    with_real_golden = {
        outlet.key
        for outlet in all_outlets()
        if any(g.stem in real_stems for g in (GOLDEN / outlet.key).glob("*.json"))
    }
    assert {outlet.key for outlet in all_outlets() if outlet.checked_on_real_page} == with_real_golden


# --- hand-made pages of outlets without a real capture -------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "url", "title", "body", "authors", "published"),
    [
        (
            "tuoitre-hand-made.html",
            "https://tuoitre.vn/ha-noi-mua-lon-20250820005806849.htm",
            "Hà Nội mưa lớn, nhiều tuyến phố ngập",
            (
                "Từ 3h sáng, mưa lớn kéo dài khiến nước dâng nhanh trên nhiều tuyến phố.",
                "Lực lượng chức năng được huy động để hỗ trợ người dân di chuyển.",
                '"Chúng tôi trực suốt đêm", một cán bộ cho biết.',
            ),
            ("Minh An",),
            "2025-08-20T07:58:00+07:00",
        ),
        (
            "thanhnien-hand-made.html",
            "https://thanhnien.vn/hoc-sinh-tuu-truong-185250820091500000.htm",
            "Học sinh tựu trường sớm",
            (
                "Năm học mới bắt đầu sớm hơn mọi năm ở nhiều địa phương.",
                "Các trường đã chuẩn bị cơ sở vật chất từ đầu tháng.",
            ),
            ("Lan Anh",),
            "2025-08-20T09:15:00+07:00",
        ),
        (
            "nld-hand-made.html",
            "https://nld.com.vn/gia-xang-giam-19625082010000000.htm",
            "Giá xăng giảm nhẹ",
            (
                "Liên Bộ Công Thương - Tài chính vừa điều chỉnh giá bán lẻ xăng dầu.",
                "Giá dầu diesel giữ nguyên.",
            ),
            ("Quốc Bảo",),
            "2025-08-20T10:00:00+07:00",
        ),
        (
            "dantri-hand-made.html",
            "https://dantri.com.vn/xa-hoi/mo-rong-duong-vanh-dai-3-20250509110000000.htm",
            "Mở rộng đường vành đai 3",
            ("Dự án dài 12 km, đi qua ba quận.", "Tổng mức đầu tư khoảng 8.000 tỷ đồng."),
            ("Thế Anh",),
            "2025-05-09T11:00:00+07:00",
        ),
        (
            "laodong-hand-made.html",
            "https://laodong.vn/thoi-su/cong-nhan-nhan-thuong-tet-som-1234567.ldo",
            "Công nhân nhận thưởng Tết sớm",
            (
                "Tại khu công nghiệp, mức thưởng bình quân tăng so với năm trước.",
                "Công đoàn cơ sở đã làm việc với doanh nghiệp từ tháng 12.",
            ),
            (),
            "2025-01-15T08:30:00+07:00",
        ),
    ],
    ids=lambda value: value.split("-")[0] if isinstance(value, str) and value.endswith(".html") else "",
)
def test_hand_made_page(
    fixture: str, url: str, title: str, body: tuple[str, ...], authors: tuple[str, ...], published: str
) -> None:
    outlet = outlet_for_url(url)
    assert not outlet.checked_on_real_page
    article = outlet.extract((FIXTURES / fixture).read_bytes(), url)
    assert (article.title, article.body, article.authors) == (title, body, authors)
    assert article.published_at == datetime.fromisoformat(published)
    assert article.sapo


def test_vccorp_photo_caption_goes_to_the_image() -> None:
    url = "https://tuoitre.vn/ha-noi-mua-lon-20250820005806849.htm"
    article = get_outlet("tuoitre").extract((FIXTURES / "tuoitre-hand-made.html").read_bytes(), url)
    assert [(i.url, i.caption) for i in article.images] == [
        ("https://cdn.tuoitre.vn/anh-mua.jpg", "Nước ngập trên phố Huế. Ảnh: M.A.")
    ]
    assert (article.section, article.tags) == ("Thời sự", ("Hà Nội", "mưa lớn"))


def test_dantri_related_box_and_lazy_image() -> None:
    url = "https://dantri.com.vn/xa-hoi/mo-rong-duong-vanh-dai-3-20250509110000000.htm"
    article = get_outlet("dantri").extract((FIXTURES / "dantri-hand-made.html").read_bytes(), url)
    assert [i.url for i in article.images] == ["https://icdn.dantri.com.vn/vanh-dai-3.jpg"]
    assert article.sapo is not None and article.sapo.startswith("(Dân trí) - ")


def test_laodong_tags_and_section() -> None:
    url = "https://laodong.vn/thoi-su/cong-nhan-nhan-thuong-tet-som-1234567.ldo"
    article = get_outlet("laodong").extract((FIXTURES / "laodong-hand-made.html").read_bytes(), url)
    assert (article.section, article.tags) == ("Thời sự", ("Thưởng Tết", "Công nhân"))


def test_thanhnien_2020_layout() -> None:
    html = """<html><body><div class="breadcrumbs"><span><a><span>Thời sự</span></a></span></div>
    <h1 class="details__headline">Tiêu đề 2020</h1><div id="chapeau">Sapo.</div>
    <div class="details__meta"><div class="meta"><time>09:15 - 20/08/2020</time></div></div>
    <div id="abody" class="cms-body detail"><p>Đoạn một.</p></div></body></html>"""
    article = get_outlet("thanhnien").extract(html, "https://thanhnien.vn/x-1234567.html")
    assert (article.title, article.body, article.section) == ("Tiêu đề 2020", ("Đoạn một.",), "Thời sự")
    assert article.published_at == datetime.fromisoformat("2020-08-20T09:15:00+07:00")


# --- pages that are no article -------------------------------------------------------------------------------


def test_vnexpress_not_found_page_is_no_article() -> None:
    page = require_pages() / "vnexpress.net/404-missing-article-5117107.html"
    url = "https://vnexpress.net/missing-article-5117107.html"
    with pytest.raises(NoArticleError, match=r"^vnexpress: no article title/body found"):
        outlet_for_url(url).extract(page.read_bytes(), url)
    with pytest.raises(NoArticleError):
        generic_outlet().extract(page.read_bytes(), url)


def test_baomoi_aggregator_redirect_is_no_article() -> None:
    page = require_pages() / "baomoi.com/redirect-2026-07-06-vong-16-world-cup-iberia-r55557411.html"
    url = "https://baomoi.com/vong-16-doi-world-cup-2026-suc-nong-tu-tran-derby-ban-dao-iberia-r55557411.epi"
    with pytest.raises(NoArticleError, match=r"^generic: "):
        generic_outlet().extract(page.read_bytes(), url)


# --- quirks ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://znews.vn/apple-huy-bo-du-an-quan-trong-post1528657.html",
        "https://znews.vn/znews-post1528657.html",
        "https://www.znews.vn/apple-huy-bo-du-an-quan-trong-post1528657.html?utm_source=fb#comments",
        "https://znews.vn/apple-huy-bo-du-an-post1528657.html",
    ],
)
def test_znews_short_and_slug_urls_are_one_url(url: str) -> None:
    assert get_outlet("znews").canonicalize_url(url) == "https://znews.vn/znews-post1528657.html"


def test_znews_other_urls_are_only_canonicalized() -> None:
    assert get_outlet("znews").canonicalize_url("https://znews.vn/cong-nghe.html?utm_source=x") == (
        "https://znews.vn/cong-nghe.html"
    )


def test_vnexpress_location_stamp_is_set_apart() -> None:
    html = """<html><body><h1 class="title-detail">T</h1>
    <p class="description"><span class="location-stamp">Hà Nội</span>Sáng nay, ...</p>
    <article class="fck_detail "><p class="Normal">Đoạn.</p></article></body></html>"""
    article = get_outlet("vnexpress").extract(html, "https://vnexpress.net/x-1234567.html")
    assert article.sapo == "Hà Nội Sáng nay, ..."


def test_bongdaplus_us_dates_in_metadata() -> None:
    bongdaplus = get_outlet("bongdaplus")
    assert bongdaplus.metadata_date("3/24/2024 6:53:30 AM") == datetime.fromisoformat(
        "2024-03-24T06:53:30+07:00"
    )
    assert bongdaplus.metadata_date("2024-03-24T07:12:35+07:00") == datetime.fromisoformat(
        "2024-03-24T07:12:35+07:00"
    )
