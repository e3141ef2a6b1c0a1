"""Công luận — congluan.vn (Báo Nhà báo & Công luận). Selectors: outlets.md "Công luận" [C].

No real page was captured; pages/congluan.vn/ is a reconstruction from these selectors.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from scraper.outlets import dom
from scraper.outlets.base import Layout, Outlet

# 2025 "sc-longform" CMS (shared with Công lý and Báo Tin tức).
LONGFORM = Layout(
    name="congluan-2025-sc-longform",
    title="h1.sc-longform-header-title",
    # Kept as published, "(CLO)" agency prefix included.
    sapo="p.sc-longform-header-sapo",
    body="article.entry.entry-no-padding",
    authors="span.sc-longform-header-author",
    date="span.sc-longform-header-date",
    # No related-box class is documented: the inline "Tin liên quan" box is dropped by its heading.
)

# 2020 (nguyenducduy/scrapy-vietnamese-news-spiders spiders/congluan.py); visible date "%H:%M, %d/%m/%Y".
OLD = Layout(
    name="congluan-2020",
    title=".detail .title_hot",
    sapo=".intro_detail p",
    body=".content",
    date=".meta time:last-of-type",
    section=".box_nb_top_cate #top_detail a span",
    tags=".tags a",
)


class CongLuan(Outlet):
    key = "congluan"
    name = "Báo Nhà báo & Công luận"
    domains = ("congluan.vn",)
    # …-post353758.html (until 2025) and …-10335595.html (2026).
    article_url_pattern = re.compile(r"-(?:post)?\d+\.html$")
    feeds = ("https://congluan.vn/rss/kinh-te.rss",)
    version = "2026.11.1"
    enabled_by_default = True
    layouts = (LONGFORM, OLD)

    def byline_fallback(self, body: LexborNode) -> tuple[str, ...]:
        """The byline is a bold paragraph closing the body, <p><strong>Hoàng Nam</strong></p>, e.g. on
        https://congluan.vn/nhat-ban-va-han-quoc-dam-phan-han-gan-quan-he-song-phuong-post116742.html
        (outlets.md: "fallback is the last <strong> in the body"). Bold words inside a paragraph are not one.
        """
        strongs = dom.css(body, "strong")
        last = strongs[-1] if strongs else None
        if last is None or last.parent is None or dom.text(last) != dom.text(last.parent):
            return ()
        return dom.dedupe([dom.text(last)])
