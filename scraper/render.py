"""What the archive commands print: rows as a table (rich on a terminal, aligned text in a pipe), CSV,
JSON or JSON lines; search results with their highlights; the stats tables."""

from __future__ import annotations

import base64
import csv
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal, TextIO

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from scraper.dates import VIETNAM
from storage.highlight import Marked
from storage.search import Match
from storage.stats import Stats

Format = Literal["table", "csv", "json", "jsonl"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json", "jsonl")


def write_rows(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO, fmt: Format, *, tty: bool
) -> int:
    """Write ``rows`` in ``fmt``; the number of rows. Only the table format holds the rows in memory."""
    if fmt == "table":
        return write_table(columns, rows, out, tty=tty)
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        count = 0
        for count, row in enumerate(rows, 1):  # noqa: B007 - the count is what is returned
            writer.writerow(["" if v is None else _text(v, blob="base64") for v in row])
        return count
    return _write_json(columns, rows, out, lines=fmt == "jsonl")


def write_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO, *, tty: bool) -> int:
    cells = [["" if v is None else _text(v) for v in row] for row in rows]
    if tty:
        table = Table(*columns, show_lines=False, header_style="bold")
        for row in cells:
            table.add_row(*row)
        Console(file=out, highlight=False).print(table)
        return len(cells)
    # Like the sqlite3 shell's ".mode column": widths from the data, one line per row.
    flat = [[cell.replace("\n", " ") for cell in row] for row in cells]
    widths = [max([len(c), *(len(row[i]) for row in flat)]) for i, c in enumerate(columns)]
    for line in ([*columns], ["-" * w for w in widths], *flat):
        out.write("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() + "\n")
    return len(cells)


def _write_json(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO, *, lines: bool) -> int:
    # Streamed object by object: a JSON array of a million rows is never built in memory.
    count = 0
    for count, row in enumerate(rows, 1):
        record = json.dumps({c: _json(v) for c, v in zip(columns, row, strict=True)}, ensure_ascii=False)
        out.write(record + "\n" if lines else ("[" if count == 1 else ",\n ") + record)
    if not lines:
        out.write("]\n" if count else "[]\n")
    return count


def _json(value: Any) -> Any:
    if isinstance(value, bytes):  # as sqlite-utils writes BLOBs
        return {"$base64": True, "encoded": base64.b64encode(value).decode("ascii")}
    return value


def _text(value: Any, blob: str = "size") -> str:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii") if blob == "base64" else f"<blob {len(value)} bytes>"
    return str(value)


def hit_json(match: Match, title: Marked, passage: Marked) -> str:
    return json.dumps(
        {
            "id": match.article_id,
            "outlet": match.outlet,
            "url": match.url,
            "title": match.title,
            "published_at": match.published_at.isoformat() if match.published_at else None,
            "score": round(match.score, 4),
            "snippet": passage.text,
            "highlights": [list(span) for span in passage.spans],
            "title_highlights": [list(span) for span in title.spans],
        },
        ensure_ascii=False,
    )


def print_hit(number: int, match: Match, title: Marked, passage: Marked, *, tty: bool) -> None:
    when = match.published_at.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M") if match.published_at else "-"
    meta = f"   {match.outlet} · {when} · #{match.article_id} · {match.url}"
    if not tty:
        click.echo(f"{number}. {title.markup()}\n{meta}\n   {passage.markup()}\n")
        return
    console = Console(highlight=False)
    console.print(Text(f"{number}. ", style="bold") + _styled(title, "bold"))
    console.print(Text(meta, style="dim"))
    console.print(Text("   ") + _styled(passage), end="\n\n")


def _styled(marked: Marked, style: str = "") -> Text:
    text = Text(marked.text, style=style)
    for start, end in marked.spans:
        text.stylize("bold yellow", start, end)
    return text


def print_stats(stats: Stats, *, tty: bool) -> None:
    columns = [
        "outlet",
        "articles",
        "versions",
        "sightings",
        "last_article_vn",
        "failed_1d/7d",
        "top_reasons_7d",
        "extracted_1d",
        "extracted_7d_before",
        "alarm",
    ]
    rows = [
        (
            o.key,
            o.articles,
            o.versions,
            o.sightings,
            _vietnam_time(o.last_success_at),
            f"{o.failed_day}/{o.failed_week}",
            ", ".join(f"{reason} {n}" for reason, n in o.top_reasons),
            _rate(o.day.extracted, o.day.attempts),
            _rate(o.previous_week.extracted, o.previous_week.attempts),
            "ALARM" if o.alarm else "",
        )
        for o in stats.outlets
    ]
    write_rows(columns, rows, sys.stdout, "table", tty=tty)
    if stats.runs:
        click.echo("\nlast crawl runs")
        run_columns = ["id", "started_vn", "finished_vn", "outcome", "fetched", "new", "versions", "failed"]
        run_rows = [
            (
                r.id,
                _vietnam_time(r.started_at),
                _vietnam_time(r.finished_at),
                r.outcome,
                r.fetched,
                r.new,
                r.versions,
                r.failed,
            )
            for r in stats.runs
        ]
        write_rows(run_columns, run_rows, sys.stdout, "table", tty=tty)


def _vietnam_time(value: datetime | None) -> str:
    return value.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M") if value else "-"


def _rate(extracted: int, attempts: int) -> str:
    return f"{extracted}/{attempts} ({extracted / attempts:.0%})" if attempts else "-"
