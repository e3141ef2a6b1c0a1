"""The generic fallback on small hand-made pages of an unknown site (the real pages: tests/test_bench_quality.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from scraper.errors import NoArticleError, UnknownOutletError
from scraper.outlets import generic_outlet, outlet_for_url

URL = "https://www.example.com/tin/bai-viet-123.html"
LONG = "Đây là một câu dài của bài báo, có dấu phẩy, có đủ chữ để được tính là đoạn văn của bài viết."
PAGE = f"""<html lang="vi"><head>
<meta property="og:type" content="article"><meta property="og:title" content="Tiêu đề bài viết - Example">
<meta property="article:published_time" content="2026-07-20T07:00:00+07:00">
<meta name="description" content="Sapo của bài.">
<link rel="canonical" href="https://example.com/tin/bai-viet-123.html">
</head><body>
<div class="header"><ul class="menu"><li><a href="/">Trang chủ</a></li><li><a href="/tin">Tin</a></li></ul></div>
<div class="sidebar-main"><h1>Tiêu đề bài viết</h1>
<div class="content"><p>{LONG}</p><p>{LONG} Hai.</p>
<figure><img src="/anh.jpg"><figcaption>Chú thích ảnh. Ảnh: A</figcaption></figure>
<p>Tin liên quan</p><ul><li><a href="/a">Bài liên quan A dài dài dài dài</a></li><li><a href="/b">Bài B</a></li></ul>
<p>{LONG} Ba.</p><p style="text-align:right"><strong>Nguyễn Văn A</strong></p></div></div>
<div class="related-news"><p>{LONG} Không phải bài.</p></div>
<div class="footer"><p>{LONG} Chân trang.</p></div>
</body></html>"""


def test_unknown_site_is_still_unknown_to_the_registry() -> None:
    with pytest.raises(UnknownOutletError):
        outlet_for_url(URL)


def test_article_of_an_unknown_site() -> None:
    article = generic_outlet().extract(PAGE, URL)
    assert (article.outlet, article.extractor) == ("example.com", "generic")
    assert article.title == "Tiêu đề bài viết"
    assert article.body == (LONG, f"{LONG} Hai.", f"{LONG} Ba.")
    assert article.authors == ("Nguyễn Văn A",)
    assert article.sapo == "Sapo của bài."
    assert article.published_at == datetime.fromisoformat("2026-07-20T07:00:00+07:00")
    assert [(i.url, i.caption) for i in article.images] == [
        ("https://www.example.com/anh.jpg", "Chú thích ảnh. Ảnh: A")
    ]
    assert article.canonical_url == "https://example.com/tin/bai-viet-123.html"


def test_page_without_article_metadata_is_no_article() -> None:
    html = PAGE.replace('content="article"', 'content="website"').replace("article:published_time", "x")
    with pytest.raises(NoArticleError, match=r"^generic: the page is not an article"):
        generic_outlet().extract(html, URL)


def test_page_without_a_text_block_is_no_article() -> None:
    html = '<html><head><meta property="og:type" content="article"><title>T</title></head><body><h1>Tiêu đề</h1><p>Ngắn.</p></body></html>'
    with pytest.raises(NoArticleError, match=r"^generic: no block of article text found$"):
        generic_outlet().extract(html, URL)


def test_us_date_in_metadata() -> None:
    html = PAGE.replace("2026-07-20T07:00:00+07:00", "3/24/2024 7:12:35 AM")
    assert generic_outlet().extract(html, URL).published_at == datetime.fromisoformat(
        "2024-03-24T07:12:35+07:00"
    )
