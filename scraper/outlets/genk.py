"""GenK — genk.vn (VCCorp, technology). Checked on pages/genk.vn/ (July 2026)."""

from __future__ import annotations

import re

from scraper.outlets import vccorp
from scraper.outlets.base import Outlet

# e.g. https://genk.vn/vi-sao-apple-bat-ngo-cat-qua-tang-sinh-vien-165260716163514059.chn
CURRENT = vccorp.layout(
    name="genk-2026",
    title="h1.kbwc-title",
    sapo="p.knc-sapo",
    # [data-role=content] is the whole column here, lead and source box included: the body is inside it.
    body="#ContentDetail",
    # "Thế Duyệt, Đời sống Pháp luật": the name alone is the author (JSON-LD says the same).
    authors="span.kbwcm-author [itemprop=name]",
    date="time.kbwcm-time",
    section="li.gbrcwli.active a",
    tags="div.klw-new-tags a",
)


class GenK(Outlet):
    key = "genk"
    name = "GenK"
    domains = ("genk.vn",)
    article_url_pattern = re.compile(r"-\d{15,}\.chn$")
    # No feed or sitemap is documented in outlets.md: the crawl follows the article links of the home page.
    listings = ("https://genk.vn/",)
    version = "2026.11.1"
    checked_on_real_page = True
    layouts = (CURRENT,)
