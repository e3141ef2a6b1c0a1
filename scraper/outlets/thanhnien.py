"""Thanh Niên — thanhnien.vn. Selectors: outlets.md "Thanh Niên" [C/G]; no real article page captured."""

from __future__ import annotations

import re

from scraper.outlets import vccorp
from scraper.outlets.base import Layout, Outlet

# Since the move to the VCCorp CMS (about 2022): the same data-role markup as Tuổi Trẻ is expected.
CURRENT = vccorp.layout(name="thanhnien-data-role", title="h1.detail-title", sapo=".detail-sapo")

# 2020 (nguyenducduy/scrapy-vietnamese-news-spiders spiders/thanhnien.py); visible date "%H:%M - %d/%m/%Y".
OLD = Layout(
    name="thanhnien-2020",
    title=".details__headline",
    sapo="#chapeau",
    body="#abody",
    date=".details__meta .meta time",
    section=".breadcrumbs span a span",
    tags=".details__tags a",
)


class ThanhNien(Outlet):
    key = "thanhnien"
    name = "Thanh Niên"
    domains = ("thanhnien.vn",)
    # …-185250820123456789.htm now; …-1234567.html before the move.
    article_url_pattern = re.compile(r"-\d{7,}\.html?$")
    feeds = ("https://thanhnien.vn/rss/home.rss",)
    sitemaps = ("https://thanhnien.vn/sitemap.xml",)  # unverified (outlets.md)
    version = "2026.11.1"
    layouts = (CURRENT, OLD)
