"""The shared extraction of the Outlet base class, on small hand-made pages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import ClassVar

import pytest

from scraper.article import Article, Image
from scraper.errors import NoArticleError
from scraper.outlets import Layout, Outlet

URL = "https://example.vn/tin-1.html"
LAYOUT = Layout(
    name="test",
    title="h1.title",
    body="div.body",
    sapo="p.sapo",
    authors="span.author",
    date="span.date",
    section="ol.crumbs a",
    tags="div.tags a",
    drop=(".related-box",),
)
OLD_LAYOUT = Layout(name="old", title="h2.old-title", body="div.old-body")


class Sample(Outlet):
    key = "sample"
    name = "Sample"
    domains = ("example.vn",)
    article_url_pattern = re.compile(r"-\d+\.html$")
    version = "2026.11.1"
    layouts: ClassVar[tuple[Layout, ...]] = (LAYOUT, OLD_LAYOUT)


def page(body: str, head: str = "", before: str = "") -> str:
    return f'<html lang="vi-VN"><head>{head}</head><body>{before}<h1 class="title">Tiêu đề</h1>{body}</body></html>'


def extract(html: str | bytes) -> Article:
    return Sample().extract(html, URL)


def body_of(inner: str) -> tuple[str, ...]:
    return extract(page(f'<div class="body">{inner}</div>')).body


# --- no article --------------------------------------------------------------------------------------------


def test_no_title_is_no_article() -> None:
    with pytest.raises(
        NoArticleError, match=r"^sample: no article title/body found \(layouts tried: test, old\)$"
    ):
        extract('<html><body><div class="body"><p>Nội dung.</p></div></body></html>')


@pytest.mark.parametrize(
    "body",
    [
        "",
        '<div class="body"></div>',
        '<div class="body"> \u00a0 <p>\u200b</p><figure><img src="a.jpg"><figcaption>Ảnh</figcaption></figure></div>',
        '<div class="body"><p>Tin liên quan</p><p>Xem thêm: bài khác</p></div>',
    ],
)
def test_title_without_body_text_is_no_article(body: str) -> None:
    with pytest.raises(NoArticleError):
        extract(page(body))


def test_empty_title_is_no_article() -> None:
    with pytest.raises(NoArticleError):
        extract('<h1 class="title"> \u00a0</h1><div class="body"><p>Nội dung.</p></div>')


@pytest.mark.parametrize(
    "html",
    [
        b'<h1 class="title">T\xff\xfeitle<div class="body"><p>Bad \xc3\x28 bytes<p>and an unclosed <b>tag',
        b"\x00\x01\x02<<<>>>&&&",
        b"",
        '<h1 class="title">Tiêu đề</h1><div class="body"><p>Mở<div><p>Đóng</table></td>',
        '<div class="body"><h1 class="title">Lồng</h1><p><p><p>',
    ],
)
def test_malformed_html_yields_an_article_or_no_article(html: str | bytes) -> None:
    try:
        article = extract(html)
    except NoArticleError:
        return
    assert article.title and article.body


def test_unclosed_tags_keep_the_text() -> None:
    assert body_of("<p>Một<p>Hai <b>đậm<p>Ba") == ("Một", "Hai đậm", "Ba")


# --- layouts -----------------------------------------------------------------------------------------------


def test_second_layout_is_tried_when_the_first_does_not_match() -> None:
    html = '<h2 class="old-title">Cũ</h2><div class="old-body"><p>Nội dung cũ.</p></div>'
    article = extract(html)
    assert (article.title, article.body) == ("Cũ", ("Nội dung cũ.",))


def test_layout_whose_body_has_no_text_falls_through_to_the_next() -> None:
    html = page('<div class="body"></div><h2 class="old-title">Cũ</h2><div class="old-body"><p>Có.</p></div>')
    assert extract(html).body == ("Có.",)


def test_extractor_fields() -> None:
    article = extract(page('<div class="body"><p>Nội dung.</p></div>'))
    assert (article.outlet, article.extractor, article.extractor_version) == ("sample", "sample", "2026.11.1")
    assert article.language == "vi"
    assert article.url == article.canonical_url == URL


# --- text --------------------------------------------------------------------------------------------------


def test_nbsp_zero_width_and_decomposed_text_are_normalized() -> None:
    decomposed = "Vie\u0323\u0302t"  # "Việt" written in NFD
    assert body_of(f"<p>\u00a0Hà\u00a0 Nội\u200b\ufeff  {decomposed}\n\t</p>") == ("Hà Nội Việt",)


def test_nested_blocks_are_read_once() -> None:
    inner = "<div><div><p>Một</p></div><p>Hai</p></div><blockquote><p>Ba</p></blockquote>"
    assert body_of(inner) == ("Một", "Hai", "Ba")


def test_bare_text_in_a_div_is_a_paragraph_beside_its_blocks() -> None:
    assert body_of("Dòng đầu <b>đậm</b><p>Đoạn</p>dòng cuối") == ("Dòng đầu đậm", "Đoạn", "dòng cuối")


def test_br_separated_lines_stay_one_paragraph() -> None:
    assert body_of("<p>Dòng một<br>dòng hai<br/><br/>dòng ba</p>") == ("Dòng một dòng hai dòng ba",)


def test_inline_markup_does_not_split_words() -> None:
    assert body_of("<p><b>Vi</b>ệt <a href='#'>Nam</a><em>.</em></p>") == ("Việt Nam.",)


def test_subheads_and_list_items_are_paragraphs() -> None:
    assert body_of("<h2>Phần 1</h2><p>Đoạn</p><ul><li>Ý một</li><li>Ý hai</li></ul>") == (
        "Phần 1",
        "Đoạn",
        "Ý một",
        "Ý hai",
    )


def test_scripts_styles_and_embeds_are_not_text() -> None:
    inner = "<p>A</p><script>var x = '<p>B</p>';</script><style>p{}</style><noscript>C</noscript><iframe>D</iframe>"
    assert body_of(inner) == ("A",)


def test_comments_are_not_text() -> None:
    assert body_of("<p>A<!-- ghi chú --></p>") == ("A",)


# --- boilerplate -------------------------------------------------------------------------------------------


def test_xem_them_line_is_dropped() -> None:
    inner = "<p>Đoạn một.</p><p><strong>Xem thêm:</strong> <a href='#'>Bài khác</a></p><p>Xem thêm các quy định mới.</p>"
    assert body_of(inner) == ("Đoạn một.", "Xem thêm các quy định mới.")


def test_labelled_block_is_dropped_with_its_list() -> None:
    inner = (
        "<p>Đoạn một.</p>"
        "<div class='box'><p><strong>TIN LIÊN QUAN</strong></p><ul><li><a href='#'>Bài A</a></li></ul>"
        "<p>Tóm tắt bài A</p></div>"
        "<p>Đoạn hai.</p>"
    )
    assert body_of(inner) == ("Đoạn một.", "Đoạn hai.")


def test_label_heading_drops_the_list_that_follows() -> None:
    inner = "<p>Đoạn một.</p><h3>Tin khác:</h3><ul><li>Bài A</li><li>Bài B</li></ul><p>Đoạn hai.</p>"
    assert body_of(inner) == ("Đoạn một.", "Đoạn hai.")


def test_labelled_blocks_take_their_thumbnails() -> None:
    inner = (
        "<p>Đoạn.</p><figure><img src='bai.jpg'></figure>"
        "<div><h3>Tin liên quan</h3><ul><li><img src='teaser1.jpg'>Bài A</li></ul><p><img src='teaser2.jpg'>Bài B</p></div>"
        "<h3>Đọc thêm</h3><ul><li><img src='teaser3.jpg'>Bài C</li></ul>"
    )
    article = extract(page(f'<div class="body">{inner}</div>'))
    assert article.body == ("Đoạn.",)
    assert [image.url for image in article.images] == ["https://example.vn/bai.jpg"]


def test_list_after_an_ordinary_paragraph_is_kept() -> None:
    assert body_of("<p>Gồm:</p><ul><li>Một</li></ul>") == ("Gồm:", "Một")


def test_dropped_selectors_take_their_text_and_images() -> None:
    inner = "<p>Giữ.</p><div class='related-box'><p>Bỏ.</p><img src='bo.jpg'></div>"
    article = extract(page(f'<div class="body">{inner}</div>'))
    assert article.body == ("Giữ.",)
    assert article.images == ()


def test_byline_paragraph_goes_to_authors() -> None:
    html = page(
        '<div class="body"><p>Nội dung.</p><p style="text-align:right"><strong>Hoàng Nam</strong></p></div>',
        before='<span class="author">Hoàng Nam</span>',
    )
    article = extract(html)
    assert (article.body, article.authors) == (("Nội dung.",), ("Hoàng Nam",))


# --- images ------------------------------------------------------------------------------------------------


def test_captions_go_to_images_not_body() -> None:
    inner = (
        "<p>Đoạn.</p>"
        "<figure><img src='/a.jpg'><figcaption>Chú thích <em>A</em>. Ảnh: <b>TTXVN</b></figcaption></figure>"
        "<figure><img data-src='https://cdn.example.vn/b.jpg' src='data:image/gif;base64,R0lG'></figure>"
        "<p><img data-original='c.jpg' src='placeholder.gif'>Ảnh trong đoạn</p>"
        "<figure><img src='/a.jpg'><figcaption>Trùng</figcaption></figure>"
    )
    article = extract(page(f'<div class="body">{inner}</div>'))
    assert article.body == ("Đoạn.", "Ảnh trong đoạn")
    assert article.images == (
        Image("https://example.vn/a.jpg", "Chú thích A. Ảnh: TTXVN"),
        Image("https://cdn.example.vn/b.jpg", None),
        Image("https://example.vn/c.jpg", None),
    )


def test_caption_block_named_by_the_layout() -> None:
    class Tables(Sample):
        layouts = (
            Layout(name="t", title="h1.title", body="div.body", figure="table.picture", caption="td.caption"),
        )

    inner = "<table class='picture'><tr><td><img src='p.jpg'></td></tr><tr><td class='caption'>Ảnh: X</td></tr></table><p>Đoạn.</p>"
    article = Tables().extract(page(f'<div class="body">{inner}</div>'), URL)
    assert article.body == ("Đoạn.",)
    assert article.images == (Image("https://example.vn/p.jpg", "Ảnh: X"),)


# --- metadata ----------------------------------------------------------------------------------------------

BODY = '<div class="body"><p>Nội dung.</p></div>'
VISIBLE = (
    '<span class="author">Tác giả</span><span class="date">Thứ sáu, 13/11/2020 09:53 AM</span>'
    '<ol class="crumbs"><a>Thế giới</a><a>Châu Á</a></ol><p class="sapo">Sapo <br>hai dòng</p>'
)


def test_visible_fields_when_no_metadata() -> None:
    article = extract(page(BODY, before=VISIBLE))
    assert article.authors == ("Tác giả",)
    assert article.published_at == datetime(2020, 11, 13, 9, 53, tzinfo=timezone(timedelta(hours=7)))
    assert article.updated_at is None
    assert article.section == "Châu Á"
    assert article.sapo == "Sapo hai dòng"


def test_metas_come_before_visible_dates() -> None:
    head = (
        '<meta property="article:published_time" content="2024-08-04T07:54:29.000 +07:00">'
        '<meta property="article:modified_time" content="2024-08-04T01:00:00Z">'
    )
    article = extract(page(BODY, head=head, before=VISIBLE))
    assert article.published_at == datetime(2024, 8, 4, 7, 54, 29, tzinfo=timezone(timedelta(hours=7)))
    assert article.updated_at is not None and article.updated_at.utcoffset() == timedelta(0)


def test_meta_without_offset_is_vietnam_time() -> None:
    article = extract(page(BODY, head='<meta itemprop="datePublished" content="2026-07-20T07:00:00">'))
    assert article.published_at is not None and article.published_at.utcoffset() == timedelta(hours=7)


def ld(data: str) -> str:
    return f'<script type="application/ld+json">{data}</script>'


def test_json_ld_comes_before_visible_authors_and_dates() -> None:
    data = '{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "An"}, "Bình"], "datePublished": "2023-04-18T08:30:00+07:00"}'
    article = extract(page(BODY, head=ld(data), before=VISIBLE))
    assert article.authors == ("An", "Bình")
    assert article.published_at == datetime(2023, 4, 18, 8, 30, tzinfo=timezone(timedelta(hours=7)))


def test_json_ld_graph_and_lists() -> None:
    graph = (
        '{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "X"},'
        ' {"@type": ["ReportageNews"], "dateModified": "2023-04-19T10:00:00+07:00", "articleSection": "Kinh tế",'
        ' "author": {"@type": "Person", "name": "Lan"}}]}'
    )
    listed = (
        '[{"@type": "BreadcrumbList"}, {"@type": "Article", "datePublished": "2023-04-18T08:30:00+07:00"}]'
    )
    article = extract(page(BODY, head=ld(graph) + ld(listed)))
    assert article.authors == ("Lan",)
    assert article.section == "Kinh tế"
    assert article.published_at is not None and article.published_at.day == 18
    assert article.updated_at is not None and article.updated_at.day == 19


def test_broken_json_ld_is_ignored() -> None:
    broken = ld('{"@type": "NewsArticle", "author": {"name": "X"') + ld("not json at all")
    good = ld('{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Lan"}}')
    article = extract(page(BODY, head=broken + good, before=VISIBLE))
    assert article.authors == ("Lan",)


def test_json_ld_organization_author_is_not_a_byline() -> None:
    data = '{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Báo điện tử VOV"}}'
    assert extract(page(BODY, head=ld(data), before=VISIBLE)).authors == ("Tác giả",)


def test_section_falls_back_to_meta() -> None:
    article = extract(page(BODY, head='<meta property="article:section" content=" Thế giới 24h ">'))
    assert article.section == "Thế giới 24h"


def test_tags_visible_first() -> None:
    head = '<meta property="article:tag" content="Meta"><meta name="keywords" content="Kw">'
    tags = '<div class="tags"><a>Hà Nội</a><a>hà nội</a><a> </a><a>Giao thông</a></div>'
    assert extract(page(BODY + tags, head=head)).tags == ("Hà Nội", "Giao thông")


def test_tags_from_article_tag_metas_then_keywords() -> None:
    metas = '<meta property="article:tag" content="FIFA"><meta property="article:tag" content="fifa">'
    keywords = '<meta name="keywords" content="Argentina ,   Argentina, FIFA,,World Cup 2026">'
    assert extract(page(BODY, head=metas + keywords)).tags == ("FIFA",)
    assert extract(page(BODY, head=keywords)).tags == ("Argentina", "FIFA", "World Cup 2026")
    assert extract(page(BODY, head='<meta name="news_keywords" content="A, B">')).tags == ("A", "B")


def test_bytes_are_decoded_by_their_declared_charset() -> None:
    html = '<meta charset="windows-1258"><h1 class="title">Tieu de</h1><div class="body"><p>Giá</p></div>'
    assert extract(html.encode("windows-1258")).body == ("Giá",)
