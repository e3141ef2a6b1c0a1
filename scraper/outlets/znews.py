"""ZNews (formerly Zing News) — znews.vn. Selectors: outlets.md "ZNews" [F], checked on pages/znews.vn/."""

from __future__ import annotations

import re

from scraper.outlets.base import Layout, Outlet
from scraper.urls import canonicalize

# 2025-2026, e.g. https://znews.vn/messi-da-khep-lai-cuoc-tranh-luan-ve-goat-post1669867.html
CURRENT = Layout(
    name="znews-2025",
    title="h1.the-article-title",
    sapo="p.the-article-summary",
    body="div.the-article-body",
    authors="p.author",
    date="li.the-article-publish",
    section="p.the-article-category a",
    # The leading <strong> is the topic of the story, not a tag; tags are links (2025) or spans (2026).
    tags="p.the-article-tags a, p.the-article-tags span",
    # Photos are tables: table.picture > td.pic img, caption in td.pic-caption / td.caption.
    figure="table.picture, figure",
    caption="td.pic-caption, td.caption, figcaption",
    drop=(
        # Inline teasers of other articles, and the box introducing the series they belong to.
        "table.article",
        "div.notebox.ncenter",
        "#article-nextreads",
        "section#news-latest",
        "section.box-mostview",
        "div.znews-banner",
        "[id^=ZingNews_]",
    ),
)

_POST_ID = re.compile(r"-post(\d+)\.html$")


class ZNews(Outlet):
    key = "znews"
    name = "ZNews"
    domains = ("znews.vn",)
    article_url_pattern = _POST_ID
    feeds = ("https://znews.vn/rss/tin-moi.rss", "https://znews.vn/rss/the-thao.rss")
    version = "2026.11.1"
    checked_on_real_page = True
    layouts = (CURRENT,)

    def canonicalize_url(self, url: str) -> str:
        """One post has two URLs, the slug one (<link rel=canonical>) and the short one of og:url, e.g.
        https://znews.vn/apple-huy-bo-du-an-quan-trong-post1528657.html = https://znews.vn/znews-post1528657.html:
        the short form is the stable one (a slug can be edited), so both become it."""
        url = canonicalize(url)
        match = _POST_ID.search(url)
        return f"https://znews.vn/znews-post{match.group(1)}.html" if match else url
