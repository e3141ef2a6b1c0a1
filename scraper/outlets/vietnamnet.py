"""VietNamNet — vietnamnet.vn. Selectors: outlets.md "VietNamNet" [F], checked on the markup of pages/vietnamnet.vn/.

That capture is real markup whose headline, lead and body text were replaced by its repo's author: it
checks structure, not text.
"""

from __future__ import annotations

import re

from scraper.outlets.base import Layout, Outlet

# 2024, e.g. https://vietnamnet.vn/doi-dac-nhiem-ngay-dem-thiet-lap-diem-cau-truc-tuyen-cho-nguyen-thu-2307418.html
CURRENT = Layout(
    name="vietnamnet-2024",
    title="h1.content-detail-title",
    sapo="h2.content-detail-sapo",
    body="div#maincontent",
    authors="div.article-detail-author .name",
    # "Chủ Nhật, 04/08/2024 - 07:54"; JSON-LD has "2024-08-04T07:54:29.000 +07:00" (space before the offset).
    date="div.bread-crumb-detail__time",
    section="div.bread-crumb-detail a",
    # Sic: the class is spelled "tag-cotnent" on the site.
    tags="div.tag-cotnent a",
    drop=(
        # An inline card of another article (ck-cms-wiki-news-full), not part of the text.
        "article.vnn-template-noneditable",
        "div.related-news",
    ),
)


class VietNamNet(Outlet):
    key = "vietnamnet"
    name = "VietNamNet"
    domains = ("vietnamnet.vn",)
    article_url_pattern = re.compile(r"-\d{6,}\.html$")
    feeds = ("https://vietnamnet.vn/rss/tin-moi-nhat.rss",)
    version = "2026.11.1"
    checked_on_real_page = True
    layouts = (CURRENT,)
