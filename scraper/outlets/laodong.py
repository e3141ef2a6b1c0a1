"""Lao Động — laodong.vn. Selectors: outlets.md "Lao Động" [C/G]; no real article page captured."""

from __future__ import annotations

import re

from scraper.outlets.base import Layout, Outlet

# fs:16236901025 (title/sapo/date/tags) with the body of NDD's spider (.article-content); not verified.
CURRENT = Layout(
    name="laodong-article-content",
    title="div.title h1",
    sapo="p.abs",
    body="div.article-content",
    date="time.f-datetime",
    section=".breadcrumb a",
    tags="span.keywords a",
    drop=(".boxrelation",),  # fs:20427546015 [G]
)


class LaoDong(Outlet):
    key = "laodong"
    name = "Lao Động"
    domains = ("laodong.vn",)
    # e.g. https://laodong.vn/<cat>/<slug>-1234567.ldo
    article_url_pattern = re.compile(r"-\d+\.ldo$")
    feeds = ("https://laodong.vn/rss/thoi-su.rss", "https://laodong.vn/rss/suc-khoe.rss")
    version = "2026.11.1"
    layouts = (CURRENT,)
