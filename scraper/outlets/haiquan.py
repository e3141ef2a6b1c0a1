"""Báo Hải quan — haiquanonline.com.vn (Customs, MasterCMS). Not Báo Hải quân, the Navy paper (outlets.md)."""

from __future__ import annotations

import re

from scraper.outlets.base import Layout, Outlet

# Newer layout (lantuan2205/crawler_news news_crawler/baohaiquanonline.py; not seen on a saved page).
CURRENT = Layout(
    name="haiquan-article-detail",
    title="h1.article-detail-title",
    sapo="div.article-detail-desc",
    body="div.__MASTERCMS_CONTENT",
    authors="h2.author-title a",
    date="span.article-date",
)

# Older MasterCMS layout (about 2020-21). Its body #__MB_MASTERCMS_EL_3 sits inside a
# div.__MASTERCMS_CONTENT, which is why the newer layout only counts when its own h1 matches.
MASTERCMS = Layout(
    name="haiquan-mastercms",
    title="h1.detail-title",
    sapo="p.detail-sapo",
    body="#__MB_MASTERCMS_EL_3",
    date="span.datetime",
    section=".breadcrumb > span > a > span",
    tags="div.category.tags a",
)


class HaiQuan(Outlet):
    key = "haiquan"
    name = "Báo Hải quan"
    domains = ("haiquanonline.com.vn",)
    article_url_pattern = re.compile(r"-\d{4,}\.html$")
    # The pattern is /rss/<slug>-c<id>.rss.
    feeds = (
        "https://haiquanonline.com.vn/rss/home.rss",
        "https://haiquanonline.com.vn/rss/hai-quan-c4.rss",
        "https://haiquanonline.com.vn/rss/xuat-nhap-khau-c5.rss",
    )
    version = "2026.11.1"
    enabled_by_default = True
    layouts = (CURRENT, MASTERCMS)
