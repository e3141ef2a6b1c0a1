"""Dân trí — dantri.com.vn. Selectors: outlets.md "Dân trí" [C]; no real article page captured."""

from __future__ import annotations

import re

from scraper.outlets.base import Layout, Outlet

# 2025 (lantuan2205/crawler_news crawler/dantri.py).
CURRENT = Layout(
    name="dantri-singular",
    title="h1.title-page.detail",
    sapo="h2.singular-sapo",
    body="div.singular-content",
    authors="div.author-name",
    date="time.author-time",
    # Related-box classes seen across outlets (outlets.md strip lists); such boxes also go by their heading.
    drop=(".related-news", ".article-related"),
)


class DanTri(Outlet):
    key = "dantri"
    name = "Dân trí"
    domains = ("dantri.com.vn",)
    # e.g. https://dantri.com.vn/the-gioi/<slug>-20250509110000000.htm
    article_url_pattern = re.compile(r"-\d{17}\.htm$")
    # One repo notes a BOM in a Dân trí feed (fs:59192598555): discovery must tolerate it.
    feeds = ("https://dantri.com.vn/rss/home.rss", "https://dantri.com.vn/rss/the-thao.rss")
    version = "2026.11.1"
    layouts = (CURRENT,)
