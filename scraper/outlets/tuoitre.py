"""Tuổi Trẻ — tuoitre.vn (VCCorp). Selectors: outlets.md "Tuổi Trẻ" [C]; no real article page captured."""

from __future__ import annotations

import re

from scraper.outlets import vccorp
from scraper.outlets.base import Outlet

# 2025-2026 (fs:31878331434, fs:70515103238), e.g. https://tuoitre.vn/<slug>-20250820005806849.htm
CURRENT = vccorp.layout(
    name="tuoitre-data-role",
    title="h1.detail-title",
    # h2.detail-sapo or p.detail-sapo. Section and tags come from <meta>: no visible selector is documented.
    sapo=".detail-sapo",
    drop=(".detail-author",),
)


class TuoiTre(Outlet):
    key = "tuoitre"
    name = "Tuổi Trẻ"
    domains = ("tuoitre.vn",)
    article_url_pattern = re.compile(r"-\d{17}\.htm$")
    feeds = ("https://tuoitre.vn/rss/tin-moi-nhat.rss", "https://tuoitre.vn/rss/the-gioi.rss")
    # The index lists daily StaticSitemaps/sitemaps-YYYY-M-D-D.xml children.
    sitemaps = (
        "https://tuoitre.vn/sitemaps/index.rss",
        "https://tuoitre.vn/Sitemap/GoogleNews.ashx",
        "https://tuoitre.vn/sitemaps/latest-news.rss",
    )
    version = "2026.11.1"
    layouts = (CURRENT,)
