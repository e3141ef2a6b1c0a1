"""VietnamPlus — vietnamplus.vn (TTXVN, "cms-body" CMS family). Checked on a video page of pages/vietnamplus.vn/."""

from __future__ import annotations

import re

from scraper.outlets import cms
from scraper.outlets.base import Outlet


class VietnamPlus(Outlet):
    key = "vietnamplus"
    name = "VietnamPlus"
    domains = ("vietnamplus.vn",)
    # e.g. https://www.vietnamplus.vn/benh-vien-bach-mai-co-so-ninh-binh-bao-dong-do-cuu-8-nan-nhan-ngo-doc-khi-post1125344.vnp
    article_url_pattern = re.compile(r"-post\d+\.vnp$")
    feeds = ("https://www.vietnamplus.vn/rss/home.vnp",)  # unverified (outlets.md)
    # Monthly https://www.vietnamplus.vn/sitemaps/news-YYYY-M.xml, no index documented.
    version = "2026.11.1"
    checked_on_real_page = True
    layouts = (cms.LAYOUT,)
