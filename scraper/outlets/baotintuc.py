"""Báo Tin tức — baotintuc.vn (TTXVN). Selectors: outlets.md "Other outlets" [C], checked on pages/baotintuc.vn/."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from scraper.outlets import dom
from scraper.outlets.base import Layout, Outlet, Page

# July 2026, e.g. https://baotintuc.vn/the-gioi/ukraine-co-thu-tuong-moi-20260716171712046.htm
CURRENT = Layout(
    name="baotintuc-2026",
    title="h1.detail-title",
    sapo="h2.sapo",
    # div.contents holds #divfirst and #divend, the two halves of the text around a video player slot.
    body="div.boxdetail div.contents",
    authors="div.author",
    # "Thứ Năm, 16/07/2026 17:17 | Thế giới": the section after the bar is article:section too.
    date="div.date span.txt",
    drop=(".share", ".gliaplayer-container"),
)


class BaoTinTuc(Outlet):
    key = "baotintuc"
    name = "Báo Tin tức (TTXVN)"
    domains = ("baotintuc.vn",)
    article_url_pattern = re.compile(r"-\d{17}\.htm$")
    # No feed or sitemap is documented in outlets.md: the crawl follows the article links of the home page.
    listings = ("https://baotintuc.vn/",)
    version = "2026.11.1"
    checked_on_real_page = True
    layouts = (CURRENT,)

    def _authors(self, page: Page, layout: Layout, body: LexborNode) -> tuple[str, ...]:
        """JSON-LD glues the name and the agency together ("Tâm HằngTTXVN") where the page shows
        "Tâm Hằng (TTXVN)", e.g. https://baotintuc.vn/the-gioi/ukraine-co-thu-tuong-moi-20260716171712046.htm:
        the visible byline comes first here."""
        return dom.dedupe(page.texts(layout.authors)) or super()._authors(page, layout, body)
