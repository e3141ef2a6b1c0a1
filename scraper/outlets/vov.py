"""VOV — vov.vn (Đài Tiếng nói Việt Nam), Drupal. Selectors: outlets.md "VOV", checked on pages/vov.vn/."""

from __future__ import annotations

import re
from datetime import datetime

from scraper.dates import VIETNAM
from scraper.outlets.base import Layout, Outlet

# July 2026, e.g. https://vov.vn/the-thao/argentina-doi-dien-an-phat-tu-fifa-sau-khi-vao-chung-ket-world-cup-2026-post1315698.vov
CURRENT = Layout(
    name="vov-2026",
    # h1 only: the inline teaser at the end of the body carries an h2.article-title, and the wrapper
    # around the headline is itself a div.article-title.
    title="h1.article-title",
    # Kept as published, "VOV.VN - " prefix included.
    sapo="div.article-summary",
    # div.article-content holds div.text-long, the article, and (last) the inline teaser dropped below.
    body="div.article-content",
    # "PV/VOV.VN" is one credit (reporter of VOV.VN), kept whole: splitting on "/" would invent an
    # author "PV" ("phóng viên", i.e. "staff reporter"). JSON-LD names only the Organization.
    authors="div.article-author a",
    date="div.article-date div.col-md-4",
    # "THỂ THAO" as published; article:section and the JSON-LD breadcrumb say the same.
    section="li.breadcrumb-item-first a",
    # Filled by JavaScript (empty in the raw page), so the article:tag metas are what is read.
    tags="#list-tags a",
    # Not [class*=ads]: the pull quote of the sample page is a <p class="ads-detail-center">.
    drop=(
        "article.inner-article",
        ".block-ads",
        ".advertisement",
        ".ads-block-custom",
        ".field-related-article",
        "#custompost-list",
        ".socials-share",
    ),
)

# About 2019-2020 (outlets.md, fs:16236901025; not seen on a saved page).
OLD = Layout(
    name="vov-2019",
    title="div.article__header h2",
    sapo="div.article__sapo",
    body="div#article-body",
    date="div.article__meta time",
    tags="div.article__tag div.box-content a",
    drop=(".article-related",),  # fs:20427546015 [G]
)


class VOV(Outlet):
    key = "vov"
    name = "VOV (Đài Tiếng nói Việt Nam)"
    domains = ("vov.vn",)
    # Current /<cat>/<sub>/<slug>-post<digits>.vov and older /<cat>/<slug>-<digits>.vov.
    article_url_pattern = re.compile(r"/[\w.-]+-(?:post)?\d+\.vov$")
    feeds = (
        "https://vov.vn/rss/home.rss",
        "https://vov.vn/rss/tin-moi-nhat-24h.rss",
        "https://vov.vn/rss/kinh-te.rss",
        "https://vov.vn/rss/the-thao.rss",
        "https://vov.vn/rss/suc-khoe.rss",
        "https://vov.vn/rss/the-gioi.rss",
        "https://vov.vn/rss/chinh-tri-105.rss",
        "https://vov.vn/rss/vov.rss",
    )
    # An index of monthly children https://vov.vn/sitemaps/<YYYY>/<M>/article.xml, listed only once the
    # month has ended (outlets.md).
    sitemaps = ("https://vov.vn/sitemap.xml",)
    version = "2026.11.1"
    enabled_by_default = True
    checked_on_real_page = True
    layouts = (CURRENT, OLD)

    def discovery_urls(self, now: datetime) -> tuple[str, ...]:
        """Adds this month's sitemap: the index at https://vov.vn/sitemap.xml lists a month's
        https://vov.vn/sitemaps/<YYYY>/<M>/article.xml only after the month has ended (outlets.md).
        """
        today = now.astimezone(VIETNAM)
        return (
            *super().discovery_urls(now),
            f"https://vov.vn/sitemaps/{today.year}/{today.month}/article.xml",
        )
