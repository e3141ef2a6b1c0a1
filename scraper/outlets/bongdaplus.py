"""Bongdaplus — bongdaplus.vn (football). Selectors: outlets.md "Bongdaplus" [F], checked on pages/bongdaplus.vn/."""

from __future__ import annotations

import re
from datetime import datetime

from scraper.dates import parse_iso, parse_vietnamese
from scraper.outlets.base import Layout, Outlet

# March 2024, e.g. https://bongdaplus.vn/giao-huu-bong-da/vi-sao-var-cong-nhan-ban-cua-brazil-du-viet-vi-4261892403.html
CURRENT = Layout(
    name="bongdaplus-2024",
    title="div.lead-title h1",
    sapo="div.summary.bdr",
    body="div#postContent",
    # "Đỗ Trung • 07:12 ngày 24/03/2024": the link is the author (JSON-LD calls it an Organization).
    authors="div.editor a",
    date="div.editor",
    section="div.chain-navs a.active",
    tags="div.hash-tags a",
    # The video embed and its "VIDEO: Anh 0-1 Brazil" caption.
    drop=("div.embedBox",),
)


class Bongdaplus(Outlet):
    key = "bongdaplus"
    name = "Bongdaplus"
    domains = ("bongdaplus.vn",)
    article_url_pattern = re.compile(r"-\d{6,}\.html$")
    # No feed or sitemap is documented in outlets.md: the crawl follows the article links of the home page.
    listings = ("https://bongdaplus.vn/",)
    version = "2026.11.1"
    checked_on_real_page = True
    # The template says <html lang="en"> on Vietnamese articles.
    language = "vi"
    layouts = (CURRENT,)

    def metadata_date(self, value: str) -> datetime | None:
        """<meta itemprop=datePublished> and JSON-LD are US month/day ("3/24/2024 7:12:35 AM"), e.g. on
        https://bongdaplus.vn/giao-huu-bong-da/vi-sao-var-cong-nhan-ban-cua-brazil-du-viet-vi-4261892403.html"""
        return parse_iso(value) or parse_vietnamese(value, month_first=True)
