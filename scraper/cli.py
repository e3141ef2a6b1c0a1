"""The `vnnews` command: the only place where errors become messages and exit codes.

Exit codes: 0 success; 1 one or more URLs failed (each recorded in the archive); 2 usage or config
error (a bad query, or a write through `vnnews sql`, too); 3 the archive cannot be opened or written;
5 `stats --check` raised an alarm; 130 interrupted.
"""

from __future__ import annotations

import functools
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from scraper import __version__, runlock
from scraper.cli_archive import ARCHIVE_COMMANDS
from scraper.config import Config, load_config
from scraper.crawl import Crawler, CrawlProgress, CrawlSummary, interruptible_sleep
from scraper.dates import parse_date
from scraper.errors import ConfigError, QueryError, StorageError, VnnewsError
from scraper.fetch import Fetcher
from scraper.importer import Importer, ImportResult, outlet_rows
from scraper.outlets import all_outlets, get_outlet
from scraper.outlets.base import Outlet
from scraper.outlets.listing import markdown_table, text_table
from storage.archive import Archive
from storage.db import current_revision, head_revision, make_engine, upgrade

EXIT_FAILED_URLS = 1
EXIT_USAGE = 2
EXIT_STORAGE = 3
EXIT_INTERRUPTED = 130

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    config_path: str | None
    db: str | None
    quiet: bool = False
    _config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def archive_target(self) -> str:
        return str(self.config.archive_path(self.db))


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"vnnews: error: {message}", err=True)
    sys.exit(code)


@contextmanager
def errors_as_exit_codes() -> Iterator[None]:
    """Turn the error tree into one line on stderr and a documented exit code."""
    try:
        yield
    except (ConfigError, QueryError) as exc:
        fail(str(exc), EXIT_USAGE)
    except StorageError as exc:
        fail(str(exc), EXIT_STORAGE)
    except VnnewsError as exc:
        fail(str(exc), EXIT_FAILED_URLS)
    except KeyboardInterrupt:
        fail("interrupted; everything finished before the interruption is stored", EXIT_INTERRUPTED)


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request at INFO; that is -vv material.
    logging.getLogger("httpx").setLevel(logging.DEBUG if verbose >= 2 else logging.WARNING)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vnnews")
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="VNNEWS_CONFIG",
    help="config.toml to use [default: ./config.toml, else the one beside the installed source].",
)
@click.option(
    "--db",
    metavar="PATH",
    envvar="VNNEWS_DB",
    help="SQLite archive file (or database URL) [default: archive.path from the config].",
)
@click.option("-v", "--verbose", count=True, help="Log more to stderr (-v: info, -vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Log only errors; no crawl summary line (for cron).")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, db: str | None, verbose: int, quiet: bool) -> None:
    """vnnews: a clean, deduplicated archive of Vietnamese online news.

    \b
    Examples:
      vnnews import https://vov.vn/the-thao/...-post1315698.vov
      vnnews import --html saved.html --url https://congluan.vn/...-post116742.html --json
      vnnews db upgrade
    """
    _setup_logging(verbose, quiet)
    ctx.obj = State(config_path, db, quiet)


@main.command("import")
@click.argument("urls", nargs=-1, metavar="[URL ...|-]")
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Extract from this saved page instead of fetching (needs --url; '-' reads stdin).",
)
@click.option("--url", "page_url", metavar="URL", help="The address the --html page was published at.")
@click.option("--dry-run", is_flag=True, help="Fetch and extract, store nothing.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print each extracted article as one JSON object per line (status lines go to stderr).",
)
@click.pass_obj
def import_command(
    state: State,
    urls: tuple[str, ...],
    html_file: Path | None,
    page_url: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Fetch article URLs, extract them, and archive them; one line per URL.

    Each line says new, duplicate (of which article), version (replaces which), unchanged, or failed
    (why). URLs come as arguments or, with '-', one per line on stdin. Exit status is 1 if any URL
    failed; the failure is recorded in the archive (fetch_log) and nothing already stored changes.

    \b
    Examples:
      vnnews import https://vov.vn/the-thao/...-post1315698.vov
      cat urls.txt | vnnews import -
      vnnews import --html page.html --url https://haiquanonline.com.vn/...-170462.html --dry-run --json
    """
    with errors_as_exit_codes():
        if html_file is not None:
            if urls or not page_url:
                fail("--html takes exactly one saved page and its --url, and no URL arguments", EXIT_USAGE)
            result = _import_saved(state, html_file, page_url, dry_run)
            _report(result, as_json)
            failed = int(result.failed)
        else:
            if page_url:
                fail("--url only goes with --html", EXIT_USAGE)
            targets = _read_urls(urls)
            if not targets:
                fail("no URL given (pass URLs, or '-' to read them from stdin)", EXIT_USAGE)
            failed = _import_fetched(state, targets, dry_run, as_json)
        if failed:
            sys.exit(EXIT_FAILED_URLS)


def _read_urls(args: tuple[str, ...]) -> list[str]:
    urls: list[str] = []
    for arg in args:
        if arg == "-":
            urls.extend(line.strip() for line in sys.stdin if line.strip() and not line.startswith("#"))
        else:
            urls.append(arg)
    return urls


def _open_archive(state: State, dry_run: bool) -> Archive | None:
    return None if dry_run else Archive.open(state.archive_target())


def _import_saved(state: State, html_file: Path, url: str, dry_run: bool) -> ImportResult:
    try:
        html = sys.stdin.buffer.read() if str(html_file) == "-" else html_file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {html_file}: {exc.strerror}", EXIT_USAGE)
    archive = _open_archive(state, dry_run)
    try:
        return Importer(archive, allow_generic=True).import_html(html, url)
    finally:
        if archive is not None:
            archive.close()


def _import_fetched(state: State, urls: list[str], dry_run: bool, as_json: bool) -> int:
    """Import and report each URL as it is done; the number that failed."""
    archive = _open_archive(state, dry_run)
    failed = 0
    try:
        with Fetcher(state.config.fetch) as fetcher, _progress(len(urls)) as advance:
            for result in Importer(archive, fetcher, allow_generic=True).import_urls(urls):
                _report(result, as_json)
                failed += result.failed
                advance()
    finally:
        if archive is not None:
            archive.close()
    return failed


@contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on an interactive stderr for more than one URL; silent under cron."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("import", total=total)
        yield lambda: progress.advance(task)


def _report(result: ImportResult, as_json: bool) -> None:
    if as_json:
        if result.article is not None:
            click.echo(json.dumps(result.article.to_dict(), ensure_ascii=False))
        click.echo(result.line(), err=True)
    else:
        click.echo(result.line())


EXIT_NOTHING_FETCHED = 4


@main.command("crawl")
@click.option(
    "--outlet",
    "outlet_keys",
    multiple=True,
    metavar="KEY",
    help="Crawl only this outlet (repeatable); a disabled outlet can be named too.",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    metavar="N",
    help="Fetch at most N article pages per outlet this run [default: crawl.max_pages].",
)
@click.option(
    "--since", metavar="DATE", help="Only queue articles listed as published on or after DATE (2026-07-01)."
)
@click.option(
    "--log-file", type=click.Path(dir_okay=False, path_type=Path), help="Append logs to this file too."
)
@click.pass_obj
def crawl_command(
    state: State,
    outlet_keys: tuple[str, ...],
    max_pages: int | None,
    since: str | None,
    log_file: Path | None,
) -> None:
    """Discover new articles in every enabled outlet's feeds and sitemaps, fetch them politely, archive them.

    Safe to run from cron every few minutes: a second crawl of the same archive says so and exits 0;
    Ctrl-C or SIGTERM stops after committing what is done; a killed crawl is continued by the next run.
    Prints a one-line summary; a progress bar per outlet on a terminal. Exit status: 0 done (failed pages
    are recorded, not fatal), 2 usage or config error, 3 archive error, 4 nothing could be fetched at
    all (network or outlets down), 130 interrupted.

    \b
    Examples:
      vnnews crawl
      vnnews crawl --outlet vov --max-pages 50 --since 2026-07-01
      */10 * * * *  cd /srv/vnnews && .venv/bin/vnnews -q crawl --log-file crawl.log
    """
    with errors_as_exit_codes():
        if log_file is not None:
            _log_to_file(log_file)
        outlets = _crawl_outlets(state.config, outlet_keys)
        since_at = parse_date(since) if since else None
        if since and since_at is None:
            fail(f"--since: cannot read a date in {since!r} (try 2026-07-01)", EXIT_USAGE)
        target = state.archive_target()
        with runlock.exclusive(target) as holder:
            if holder is not None:
                click.echo(
                    f"vnnews: another crawl (pid {holder or '?'}) is running on {target}; not starting",
                    err=True,
                )
                return
            summary = _run_crawl(state, outlets, max_pages, since_at)
        if not state.quiet:
            click.echo(summary.line())
        if summary.interrupted:
            sys.exit(EXIT_INTERRUPTED)
        if summary.nothing_fetched:
            sys.exit(EXIT_NOTHING_FETCHED)


def _crawl_outlets(config: Config, keys: tuple[str, ...]) -> list[Outlet]:
    if keys:
        try:
            return [get_outlet(key) for key in dict.fromkeys(keys)]
        except VnnewsError as exc:  # UnknownOutletError: a usage error here, not a failed URL
            fail(f"--outlet: {exc}", EXIT_USAGE)
    return [o for o in all_outlets() if config.outlet_enabled(o.key, o.enabled_by_default)]


def _run_crawl(
    state: State, outlets: list[Outlet], max_pages: int | None, since: datetime | None
) -> CrawlSummary:
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    archive = Archive.open(state.archive_target())
    try:
        archive.register_outlets(outlet_rows(all_outlets()))
        with (
            Fetcher(state.config.fetch, sleep=interruptible_sleep(stop)) as fetcher,
            _crawl_progress() as progress,
        ):
            crawler = Crawler(
                state.config,
                archive,
                fetcher,
                outlets,
                max_pages=max_pages,
                since=since,
                stop=stop,
                progress=progress,
            )
            return crawler.run()
    finally:
        archive.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _BarProgress(CrawlProgress):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def start(self, key: str, total: int) -> None:
        self.tasks[key] = self.progress.add_task(key, total=total)

    def advance(self, key: str) -> None:
        self.progress.advance(self.tasks[key])

    def finish(self, key: str) -> None:
        self.progress.update(self.tasks[key], completed=self.progress.tasks[self.tasks[key]].total)


@contextmanager
def _crawl_progress() -> Iterator[CrawlProgress]:
    """A bar per outlet on an interactive stderr; nothing under cron."""
    if not sys.stderr.isatty():
        yield CrawlProgress()
        return
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, transient=True) as progress:
        yield _BarProgress(progress)


def _log_to_file(path: Path) -> None:
    try:
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        fail(f"--log-file: cannot open {path}: {exc.strerror}", EXIT_USAGE)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)


@main.command("outlets")
@click.option("--markdown", is_flag=True, help="Print the Markdown table the README includes.")
def outlets_command(markdown: bool) -> None:
    """List the outlets vnnews has extractors for: key, name, domains, feeds, extractor version, whether
    the crawl follows it by default, and whether its extractor was checked on a real captured page.

    \b
    Examples:
      vnnews outlets
      vnnews outlets --markdown
    """
    outlets = all_outlets()
    click.echo(markdown_table(outlets) if markdown else text_table(outlets), nl=False)


@main.group()
def db() -> None:
    """Manage the archive database (Alembic migrations)."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(state: State) -> None:
    """Create the archive if needed and run every pending migration."""
    with errors_as_exit_codes():
        engine = make_engine(state.archive_target())
        try:
            before = current_revision(engine)
            upgrade(engine)
            after = current_revision(engine)
        finally:
            engine.dispose()
        state_text = "already at" if before == after else f"upgraded from {before or 'empty'} to"
        click.echo(f"{state.archive_target()}: {state_text} revision {after}")


@db.command("current")
@click.pass_obj
def db_current(state: State) -> None:
    """Print the archive's path and schema revision (and the newest this vnnews knows)."""
    with errors_as_exit_codes():
        engine = make_engine(state.archive_target())
        try:
            click.echo(
                f"{state.archive_target()}: revision {current_revision(engine) or 'none'} "
                f"(head {head_revision()})"
            )
        finally:
            engine.dispose()


def _with_exit_codes(command: click.Command) -> click.Command:
    """``command`` with its errors turned into messages and exit codes like every other command's."""
    callback = command.callback
    if callback is not None:

        @functools.wraps(callback)
        def run(*args: Any, **kwargs: Any) -> Any:
            with errors_as_exit_codes():
                return callback(*args, **kwargs)

        command.callback = run
    return command


# search, sql, export, stats, reextract: the archive as an interface (scraper/cli_archive.py).
for _command in ARCHIVE_COMMANDS:
    main.add_command(_with_exit_codes(_command))
