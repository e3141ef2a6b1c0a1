"""VnExpress — vnexpress.net. Selectors: outlets.md "VnExpress" [F][T], checked on pages/vnexpress.net/."""

from __future__ import annotations

import re

from scraper.outlets.base import Layout, Outlet, Page

# 2022-2026, e.g. https://vnexpress.net/chay-bai-rac-lon-nhat-nghe-an-lua-lan-sang-rung-phong-ho-5099243.html
CURRENT = Layout(
    name="vnexpress-fck-detail",
    title="h1.title-detail",
    # May open with a span.location-stamp, kept as published.
    sapo="p.description",
    body="article.fck_detail",
    # The closing right-aligned bold byline (2022, 2025, 2026) or p.author_mail (2023). JSON-LD names only
    # the Organization on most pages.
    authors="article.fck_detail p[style*='right'] strong, article.fck_detail p.author_mail strong",
    date="span.date",
    section="ul.breadcrumb li a",
    drop=(
        # Since 2026 the headline and the lead sit inside the article element.
        "h1.title-detail",
        "p.description",
        # "Tin liên quan": a placeholder filled by JavaScript and its hidden server-rendered twin.
        "div.list_link",
        "ul.list-news",
        "[data-component-type=tin_xemthem]",
        "p.author_mail",
        "p[style*='right']",
        "div.box-tinlienquanv2",
        "div.box_comment",
    ),
)


class VnExpress(Outlet):
    key = "vnexpress"
    name = "VnExpress"
    domains = ("vnexpress.net",)
    article_url_pattern = re.compile(r"-\d{7,}\.html$")
    feeds = tuple(
        f"https://vnexpress.net/rss/{name}.rss"
        for name in (
            "tin-moi-nhat", "the-gioi", "thoi-su", "kinh-doanh", "giai-tri", "the-thao", "phap-luat", "giao-duc",
            "tin-noi-bat", "suc-khoe", "gia-dinh", "du-lich", "khoa-hoc-cong-nghe", "oto-xe-may", "y-kien", "tam-su",
        )
    )  # fmt: skip
    sitemaps = ("https://vnexpress.net/sitemap.xml", "https://vnexpress.net/google-news-sitemap.xml")
    version = "2026.11.1"
    checked_on_real_page = True
    # "Tin nóng" ("hot news") ends meta keywords and is the only article:tag of some pages: a site-wide
    # label, not a topic (fundus filters it too).
    ignored_tags = frozenset({"tin nóng"})
    layouts = (CURRENT,)

    def sapo(self, page: Page, layout: Layout) -> str | None:
        """The lead may open with a dateline, <span class="location-stamp">TP HCM</span>Nếu có…, that only
        CSS sets apart, e.g. https://vnexpress.net/cong-nhan-mat-viec-chat-vat-lo-tet-4420519.html."""
        lead, stamp = page.text(layout.sapo), page.text(f"{layout.sapo} span.location-stamp")
        if stamp and lead.startswith(stamp):
            return f"{stamp} {lead.removeprefix(stamp).lstrip()}"
        return lead or None
