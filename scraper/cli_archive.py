"""The commands that read the archive: search, sql, export, stats, and reextract (offline re-extraction).

They are registered on the `vnnews` group by ``scraper.cli``, which turns their errors into messages
and exit codes (QueryError → 2, StorageError → 3); the codes specific to a command are set here.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO

import click
from sqlalchemy import Engine

from scraper.dates import parse_date
from scraper.errors import QueryError, StorageError
from scraper.importer import ImportResult
from scraper.reextract import latest_raw_pages, reextract
from scraper.render import FORMATS, Format, hit_json, print_hit, print_stats, write_rows
from storage.archive import Archive, utcnow
from storage.export import records, write_csv, write_jsonl
from storage.filters import Filters
from storage.highlight import find_terms, snippet
from storage.readonly import SQLRunner, readonly_engine, sqlite_path
from storage.search import Sort, parse_query, search
from storage.stats import collect

EXIT_FAILED = 1  # reextract: one or more stored pages no longer yield an article
EXIT_ALARM = 5  # stats --check: an outlet's extraction alarm is raised


class HasArchive(Protocol):
    def archive_target(self) -> str: ...


_RELATIVE = re.compile(r"(\d+)\s*([hdw])")
_DATE_ONLY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_when(text: str | None, option: str, *, end: bool = False) -> datetime | None:
    """2026-07-01 (Vietnam time), 2026-07-01T08:00+07:00, or 7d / 24h / 2w ago; ``end``: a date counts whole."""
    if text is None:
        return None
    text = text.strip()
    relative = _RELATIVE.fullmatch(text.lower())
    if relative:
        return utcnow() - timedelta(**{_UNITS[relative[2]]: int(relative[1])})
    value = parse_date(text)
    if value is None:
        raise QueryError(
            f"{option}: cannot read a date in {text!r} (try 2026-07-01, 2026-07-01T08:00, or 7d)"
        )
    return value + timedelta(days=1) if end and _DATE_ONLY.fullmatch(text) else value


def _filters(outlets: tuple[str, ...], since: str | None, until: str | None) -> Filters:
    return Filters(
        tuple(dict.fromkeys(outlets)), parse_when(since, "--since"), parse_when(until, "--until", end=True)
    )


def _reader(state: HasArchive) -> Engine:
    """A read-only engine on the archive, migrated first if this vnnews is newer than the file."""
    target = state.archive_target()
    path = sqlite_path(target)
    if path is not None and not path.is_file():
        raise StorageError(f"no archive at {path} (vnnews import or vnnews crawl creates it)")
    Archive.open(target).close()  # brings an older archive to the current schema (and search index)
    return readonly_engine(target)


def _tty() -> bool:
    return sys.stdout.isatty()


outlet_option = click.option(
    "--outlet",
    "outlets",
    multiple=True,
    metavar="KEY",
    help="Only articles seen at this outlet (repeatable).",
)
since_option = click.option(
    "--since",
    metavar="DATE",
    help="Published on or after DATE: 2026-07-01 (Vietnam time), an ISO time, or 7d.",
)
until_option = click.option(
    "--until", metavar="DATE", help="Published before DATE; a bare date includes that whole day."
)


@click.command("search")
@click.argument("query")
@outlet_option
@since_option
@until_option
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Results shown.")
@click.option(
    "--sort",
    type=click.Choice(["rank", "newest"]),
    default="rank",
    show_default=True,
    help="rank: matches in the title first, then the sapo, then the body, newest first within each;"
    " newest: most recently archived first.",
)
@click.option("--all-versions", is_flag=True, help="Also search earlier versions of changed articles.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per result and line.")
@click.pass_obj
def search_command(
    state: HasArchive,
    query: str,
    outlets: tuple[str, ...],
    since: str | None,
    until: str | None,
    limit: int,
    sort: str,
    all_versions: bool,
    as_json: bool,
) -> None:
    """Full-text search of titles, sapos and bodies, with or without diacritics.

    "dam phan" finds "đàm phán" and "Hàn Quốc" finds "Han Quoc". All words must match; "a phrase" in
    quotes, a OR b, -word or NOT word to exclude, title:word (or sapo:, body:) for one field, and
    word* for a prefix. Matches are highlighted in a snippet of the original text (between ** in a
    pipe). Only the current version of each article is searched unless --all-versions.

    \b
    Examples:
      vnnews search "dam phan"
      vnnews search '"Đồng Nai" mưa -bão' --since 2026-07-01 --outlet vov
      vnnews search 'title:FIFA OR title:"World Cup"' --sort newest --limit 50 --json
    """
    parsed = parse_query(query)
    engine = _reader(state)
    try:
        filters = _filters(outlets, since, until)
        sort_by: Sort = "newest" if sort == "newest" else "rank"
        matches = search(engine, parsed, filters, limit=limit, sort=sort_by, all_versions=all_versions)
    finally:
        engine.dispose()
    if not matches:
        click.echo("no article matches", err=True)
    for number, match in enumerate(matches, 1):
        title, passage = find_terms(match.title, parsed), snippet(match.sapo, match.body, parsed)
        if as_json:
            click.echo(hit_json(match, title, passage))
        else:
            print_hit(number, match, title, passage, tty=_tty())


@click.command("sql")
@click.argument("statement", metavar="SQL")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table (rich on a terminal, aligned text in a pipe), csv, json (an array) or jsonl.",
)
@click.pass_obj
def sql_command(state: HasArchive, statement: str, fmt: Format) -> None:
    """Run one SQL statement on the archive, read-only ('-' reads it from stdin).

    The archive is opened read-only and writes are refused before they run: INSERT, UPDATE, DELETE,
    CREATE, DROP, ALTER, ATTACH, VACUUM and PRAGMA assignments exit with status 2 and change nothing.
    The schema and views are in the README ("The archive").

    \b
    Examples:
      vnnews sql "SELECT key, count(*) FROM sightings JOIN outlets ON outlets.id = outlet_id GROUP BY key"
      vnnews sql --format csv "SELECT * FROM outlet_daily" > daily.csv
      echo "SELECT title FROM latest_articles LIMIT 5" | vnnews sql - --format jsonl
    """
    if statement == "-":
        statement = sys.stdin.read()
    path = sqlite_path(state.archive_target())
    if path is None:
        raise QueryError("vnnews sql works on an SQLite archive; use your database's own client")
    with SQLRunner(path) as runner, _closed_pipe_ok():
        columns, rows = runner.run(statement)
        write_rows(columns, rows, sys.stdout, fmt, tty=_tty())


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
@outlet_option
@since_option
@until_option
@click.option("--latest", is_flag=True, help="Only the current version of each article.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout."
)
@click.pass_obj
def export_command(
    state: HasArchive,
    fmt: str,
    outlets: tuple[str, ...],
    since: str | None,
    until: str | None,
    latest: bool,
    output: Path | None,
) -> None:
    """Stream every article, with the URLs it was seen at, as JSON lines or CSV.

    Each record holds every Article field (body as a list of paragraphs; times in UTC, ISO 8601), plus
    id, first_seen_at, supersedes_id and sightings. In CSV, the body's paragraphs are joined by
    newlines and lists are JSON. Memory use stays flat however large the archive.

    \b
    Examples:
      vnnews export > archive.jsonl
      vnnews export --format csv --outlet vov --since 2026-07-01 -o vov-july.csv
    """
    filters = _filters(outlets, since, until)
    engine = _reader(state)
    rows = records(engine, filters, latest_only=latest)
    try:
        with _output(output, newline="" if fmt == "csv" else None) as out, _closed_pipe_ok():
            count = write_csv(rows, out) if fmt == "csv" else write_jsonl(rows, out)
    finally:
        rows.close()  # ends the read before the connection goes
        engine.dispose()
    if output is not None:
        click.echo(f"exported {count} articles to {output}", err=True)


@contextmanager
def _closed_pipe_ok() -> Iterator[None]:
    """`vnnews export | head`: a reader that stops early is not an error."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would complain again flushing stdout at exit: point it at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


@contextmanager
def _output(path: Path | None, newline: str | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        handle = path.open("w", encoding="utf-8", newline=newline)
    except OSError as exc:
        raise QueryError(f"--output: cannot write {path}: {exc.strerror}") from None
    with handle:
        yield handle


@click.command("stats")
@click.option(
    "--check", is_flag=True, help=f"Exit with status {EXIT_ALARM} when an alarm is raised (for cron)."
)
@click.option("--runs", type=click.IntRange(0, 1000), default=5, show_default=True, help="Crawl runs shown.")
@click.option("--json", "as_json", is_flag=True, help="Everything as one JSON object.")
@click.pass_obj
def stats_command(state: HasArchive, check: bool, runs: int, as_json: bool) -> None:
    """Per outlet: articles, versions, sightings, last success, failures and their reasons; crawl runs.

    An alarm is raised for an outlet whose extraction breaks: at least 10 pages received in the last
    24 h and none yielded an article, or under 50 % did while the 7 days before were at 80 % or more
    (README "vnnews stats"). With --check, an alarm makes the exit status 5.

    \b
    Examples:
      vnnews stats
      vnnews -q stats --check || mail -s "vnnews alarm" me@example.org < /dev/null
    """
    engine = _reader(state)
    try:
        stats = collect(engine, runs=runs)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_stats(stats, tty=_tty())
    for outlet in stats.alarms:
        click.echo(f"ALARM {outlet.key}: {outlet.alarm}", err=True)
    if check and stats.alarms:
        sys.exit(EXIT_ALARM)


@click.command("reextract")
@outlet_option
@click.option("--since", metavar="DATE", help="Only pages fetched on or after DATE (2026-07-01, or 7d).")
@click.pass_obj
def reextract_command(state: HasArchive, outlets: tuple[str, ...], since: str | None) -> None:
    """Run today's extractors again on the stored raw pages, with no network.

    For each URL, the body of its latest fetch is extracted again and archived as a fetch would be: a
    changed text becomes a new version (the earlier one is kept, with its extractor version), the same
    text changes nothing. Prints a line per page whose article changed or that failed, then a summary.
    Recorded in fetch_log with source 'reextract'. Exit status 1 if any page failed.

    \b
    Examples:
      vnnews reextract --outlet vov
      vnnews reextract --since 7d
    """
    since_at = parse_when(since, "--since")
    with Archive.open(state.archive_target()) as archive:
        pages = latest_raw_pages(archive, tuple(dict.fromkeys(outlets)), since_at)
        summary = reextract(archive, pages, _report_change)
    click.echo(summary.line())
    if summary.counts["failed"]:
        sys.exit(EXIT_FAILED)


def _report_change(result: ImportResult) -> None:
    if result.outcome != "unchanged":
        click.echo(result.line())


ARCHIVE_COMMANDS: tuple[click.Command, ...] = (
    search_command,
    sql_command,
    export_command,
    stats_command,
    reextract_command,
)
