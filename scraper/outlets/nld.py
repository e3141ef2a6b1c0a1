"""Người Lao Động — nld.com.vn (VCCorp). Selectors: outlets.md "Người Lao Động" [C]; no real page captured."""

from __future__ import annotations

import re

from scraper.outlets import vccorp
from scraper.outlets.base import Layout, Outlet

# 2025 (giapham123/crawl-news-python: .detail-title, .detail-content.afcbc-body), Tuổi Trẻ-style data-role.
CURRENT = vccorp.layout(name="nld-data-role", title="h1.detail-title", sapo=".detail-sapo")

# Older layout (fs:16236901025).
OLD = Layout(
    name="nld-old",
    title="h1.title-content",
    sapo="h2.sapo-detail",
    body="div.contentbody",
    date="span.pdate",
    tags="div.listtags a",
)


class NguoiLaoDong(Outlet):
    key = "nld"
    name = "Người Lao Động"
    domains = ("nld.com.vn",)
    article_url_pattern = re.compile(r"-\d{17}\.htm$")
    feeds = ("https://nld.com.vn/rss/home.rss",)
    version = "2026.11.1"
    layouts = (CURRENT, OLD)
