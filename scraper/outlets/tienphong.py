"""Tiền Phong — tienphong.vn ("cms-body" CMS family). Checked on pages/tienphong.vn/ (July 2026)."""

from __future__ import annotations

import re

from scraper.outlets import cms
from scraper.outlets.base import Outlet


class TienPhong(Outlet):
    key = "tienphong"
    name = "Tiền Phong"
    domains = ("tienphong.vn",)
    # e.g. https://tienphong.vn/pnj-se-thue-don-vi-quoc-te-kiem-dinh-doc-lap-ve-kim-cuong-post1860261.tpo
    article_url_pattern = re.compile(r"-post\d+\.tpo$")
    feeds = ("https://tienphong.vn/rss/home.rss", "https://tienphong.vn/rss/suc-khoe-210.rss")
    version = "2026.11.1"
    checked_on_real_page = True
    layouts = (cms.LAYOUT,)
