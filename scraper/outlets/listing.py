"""The outlet table of `vnnews outlets`: plain text for a terminal, Markdown for the README."""

from __future__ import annotations

from collections.abc import Iterable

from scraper.outlets.base import Outlet

HEADER = (
    "key",
    "outlet",
    "domains",
    "feeds",
    "sitemaps",
    "listings",
    "extractor",
    "enabled by default",
    "checked on a real page",
)


def _row(outlet: Outlet) -> tuple[str, ...]:
    return (
        outlet.key,
        outlet.name,
        ", ".join(outlet.domains),
        str(len(outlet.feeds)),
        str(len(outlet.sitemaps)),
        str(len(outlet.listings)),
        outlet.version,
        "yes" if outlet.enabled_by_default else "no",
        "yes" if outlet.checked_on_real_page else "no",
    )


def markdown_table(outlets: Iterable[Outlet]) -> str:
    """A Markdown table, one row per outlet; keys and domains in code spans."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for outlet in outlets:
        key, name, _, *rest = _row(outlet)
        cells = [f"`{key}`", name, ", ".join(f"`{d}`" for d in outlet.domains), *rest]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def text_table(outlets: Iterable[Outlet]) -> str:
    """Aligned columns, each outlet's feed, sitemap and listing URLs on the lines below it."""
    outlets = list(outlets)
    rows = [HEADER, *map(_row, outlets)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines: list[str] = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index:
            outlet = outlets[index - 1]
            lines.extend(f"    {url}" for url in (*outlet.feeds, *outlet.sitemaps, *outlet.listings))
    return "\n".join(lines) + "\n"
