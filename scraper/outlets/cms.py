"""The "cms-title / cms-desc / cms-body" CMS family: Nhân Dân, Tiền Phong, VietnamPlus (outlets.md, cross-cutting 1).

Checked on the July 2026 pages of all three (pages/nhandan.vn, tienphong.vn, vietnamplus.vn).
"""

from __future__ import annotations

from scraper.outlets.base import Layout

LAYOUT = Layout(
    name="cms-body-2026",
    title="h1.cms-title",
    # Kept as published, "TPO - " prefix included (Tiền Phong).
    sapo=".article__sapo.cms-desc",
    body="div.article__body.cms-body",
    # Also inside the body (div.article__author, dropped below); JSON-LD names the same person first.
    authors=".article__meta .author, .article__author .name",
    date=".article__meta time",
    # article:section is no path but the list of every section the story is filed in ("Multimedia,Y tế,
    # Video,Xã hội"): the breadcrumb says where it lives.
    section=".breadcrumb .main a",
    # No tag selector: the article:tag list is the visible "#PNJ" hashtags without their "#".
    drop=(
        ".article__author",
        # "(TTXVN/Vietnam+)": the agency credit under the text, not a byline (VietnamPlus).
        ".article__source",
        # Inline teasers of other articles (Tiền Phong) and ad slots.
        ".article-relate",
        ".sda_middle",
        "[id^=sdaWeb_]",
    ),
)
