"""Layouts and quirks no stored page shows: older / newer layouts, visible fallbacks, per-outlet overrides."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from scraper.errors import NoArticleError
from scraper.outlets import get_outlet, outlet_for_url

from .pages import GOLDEN_FILES, PAGES, load_json, page_for_golden, require_pages

HAIQUAN_URL = "https://haiquanonline.com.vn/x-170462.html"
CONGLUAN_URL = "https://congluan.vn/x-post116742.html"


@pytest.mark.parametrize("golden", GOLDEN_FILES, ids=lambda path: path.parent.name)
def test_visible_date_gives_the_same_time_as_the_metadata(golden: Path) -> None:
    require_pages()
    file, url = page_for_golden(golden)
    html = (PAGES / file).read_text(encoding="utf-8")
    html = re.sub(r"<script[^>]*application/ld\+json[^>]*>.*?</script>", "", html, flags=re.S)
    html = re.sub(r"<meta[^>]+(?:published_time|datePublished|pubdate)[^>]*>", "", html)
    article = outlet_for_url(url).extract(html, url)
    assert article.published_at is not None
    # Visible dates stop at the minute; the metadata often has seconds.
    expected = datetime.fromisoformat(load_json(golden)["published_at"]).replace(second=0)
    assert article.published_at == expected


# Báo Hải quan ---------------------------------------------------------------------------------------------

HAIQUAN_NEW = """<html><body>
<h1 class="article-detail-title">Tiêu đề mới</h1>
<div class="article-detail-desc">Sapo mới.</div>
<span class="article-date">08:30 | 18/04/2023</span>
<h2 class="author-title"><a href="/tac-gia/x">Ngọc Linh</a></h2>
<div class="__MASTERCMS_CONTENT"><p>Đoạn một.</p><p>Đoạn hai.</p></div>
</body></html>"""


def test_haiquan_newer_layout() -> None:
    article = get_outlet("haiquan").extract(HAIQUAN_NEW, HAIQUAN_URL)
    assert (article.title, article.sapo, article.authors) == ("Tiêu đề mới", "Sapo mới.", ("Ngọc Linh",))
    assert article.body == ("Đoạn một.", "Đoạn hai.")
    assert (
        article.published_at is not None and article.published_at.isoformat() == "2023-04-18T08:30:00+07:00"
    )


def test_haiquan_older_page_is_not_half_matched_by_the_newer_layout() -> None:
    # The older page wraps its body in a div.__MASTERCMS_CONTENT too, next to text that is not the body.
    html = """<html><body><h1 class="detail-title">Tiêu đề cũ</h1>
    <div class="__MASTERCMS_CONTENT"><p>Không phải thân bài.</p><div id="__MB_MASTERCMS_EL_3"><p>Thân bài.</p></div></div>
    </body></html>"""
    article = get_outlet("haiquan").extract(html, HAIQUAN_URL)
    assert (article.title, article.body) == ("Tiêu đề cũ", ("Thân bài.",))


def test_haiquan_no_layout_names_every_layout() -> None:
    with pytest.raises(NoArticleError, match=r"haiquan-article-detail, haiquan-mastercms\)$"):
        get_outlet("haiquan").extract("<html><body><h1>Trang chủ</h1></body></html>", HAIQUAN_URL)


# Công luận ------------------------------------------------------------------------------------------------


def congluan_page(body: str) -> str:
    return f"""<html><body><h1 class="sc-longform-header-title">Tiêu đề</h1>
    <article class="entry entry-no-padding">{body}</article></body></html>"""


def test_congluan_byline_fallback_is_the_closing_bold_paragraph() -> None:
    article = get_outlet("congluan").extract(
        congluan_page("<p>Đoạn có <strong>chữ đậm</strong>.</p><p><strong>Hoàng Nam</strong></p>"),
        CONGLUAN_URL,
    )
    assert (article.authors, article.body) == (("Hoàng Nam",), ("Đoạn có chữ đậm.",))


def test_congluan_bold_words_inside_a_paragraph_are_not_a_byline() -> None:
    article = get_outlet("congluan").extract(
        congluan_page("<p>Theo <strong>Reuters</strong>, hôm qua.</p>"), CONGLUAN_URL
    )
    assert (article.authors, article.body) == ((), ("Theo Reuters, hôm qua.",))


def test_congluan_2020_layout() -> None:
    html = """<html><body>
    <div class="box_nb_top_cate"><div id="top_detail"><a href="/quoc-te"><span>Quốc tế</span></a></div></div>
    <div class="detail"><h1 class="title_hot">Tiêu đề 2020</h1>
      <div class="meta"><time>Thứ sáu</time> <time>09:53, 13/11/2020</time></div>
      <div class="intro_detail"><p>(CLO) Sapo.</p></div>
      <div class="content"><p>Đoạn một.</p><p>Đoạn hai.</p></div>
      <div class="tags"><a>Nhật Bản</a><a>Hàn Quốc</a></div>
    </div></body></html>"""
    article = get_outlet("congluan").extract(html, CONGLUAN_URL)
    assert (article.title, article.sapo, article.section) == ("Tiêu đề 2020", "(CLO) Sapo.", "Quốc tế")
    assert article.body == ("Đoạn một.", "Đoạn hai.")
    assert article.tags == ("Nhật Bản", "Hàn Quốc")
    assert (
        article.published_at is not None and article.published_at.isoformat() == "2020-11-13T09:53:00+07:00"
    )


# VOV ------------------------------------------------------------------------------------------------------


def test_vov_inline_teaser_title_is_not_the_headline() -> None:
    # Without the h1 the only .article-title left is the teaser's h2: that is no article.
    html = """<html><body><div class="row article-content"><div class="text-long"><p>Đoạn.</p>
    <article class="inner-article"><h2 class="article-title mb-0">Bài khác</h2></article></div></div></body></html>"""
    with pytest.raises(NoArticleError):
        get_outlet("vov").extract(html, "https://vov.vn/x-post1.vov")


def test_vov_pull_quote_with_an_ads_class_is_kept() -> None:
    html = """<html><body><h1 class="article-title mb-0">Tiêu đề</h1><div class="row article-content">
    <div class="text-long"><p>Đoạn.</p><p class=" ads-detail-center">“Trích dẫn” - Messi chia sẻ.</p>
    <div><div id="block-ads-69" class="block-ads block-ads69">Quảng cáo</div></div></div></div></body></html>"""
    article = get_outlet("vov").extract(html, "https://vov.vn/x-post1.vov")
    assert article.body == ("Đoạn.", "“Trích dẫn” - Messi chia sẻ.")
