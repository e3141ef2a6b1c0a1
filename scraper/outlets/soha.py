"""Soha — soha.vn (VCCorp). Checked on pages/soha.vn/ (July 2026)."""

from __future__ import annotations

import re

from scraper.outlets import vccorp
from scraper.outlets.base import Outlet

# e.g. https://soha.vn/clip-o-to-bat-ngo-boc-chay-tren-via-he-tphcm-198260720023243246.htm
CURRENT = vccorp.layout(
    name="soha-2026",
    # The headline carries no data-role here. The section is read from the JSON-LD breadcrumb: the visible
    # one is an empty link with a title attribute.
    title="h1.news-title",
    tags="div.tags a",
)


class Soha(Outlet):
    key = "soha"
    name = "Soha"
    domains = ("soha.vn",)
    article_url_pattern = re.compile(r"-\d{15,}\.htm$")
    # No feed or sitemap is documented in outlets.md: the crawl follows the article links of the home page.
    listings = ("https://soha.vn/",)
    version = "2026.11.1"
    checked_on_real_page = True
    layouts = (CURRENT,)
