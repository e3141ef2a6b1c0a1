"""Nhân Dân — nhandan.vn ("cms-body" CMS family). Checked on pages/nhandan.vn/ (July 2026)."""

from __future__ import annotations

import re

from scraper.outlets import cms
from scraper.outlets.base import Outlet


class NhanDan(Outlet):
    key = "nhandan"
    name = "Nhân Dân"
    domains = ("nhandan.vn",)
    # e.g. https://nhandan.vn/danh-bai-argentina-tay-ban-nha-vo-dich-world-cup-lan-thu-hai-post976641.html
    article_url_pattern = re.compile(r"-post\d+\.html$")
    feeds = ("https://nhandan.vn/rss/kinhte.rss",)
    version = "2026.11.1"
    checked_on_real_page = True
    layouts = (cms.LAYOUT,)
