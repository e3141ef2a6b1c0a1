"""The `vnnews` command: the only place where errors become messages and exit codes.

Exit codes: 0 success; 1 one or more URLs failed (each recorded in the archive); 2 usage or config
error; 3 the archive cannot be opened or written; 130 interrupted.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from scraper import __version__
from scraper.config import Config, load_config
from scraper.crawl import Importer, ImportResult
from scraper.errors import ConfigError, StorageError, VnnewsError
from scraper.fetch import Fetcher
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
    except ConfigError as exc:
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
@click.option("-q", "--quiet", is_flag=True, help="Log only errors.")
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
    ctx.obj = State(config_path, db)


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
        return Importer(archive).import_html(html, url)
    finally:
        if archive is not None:
            archive.close()


def _import_fetched(state: State, urls: list[str], dry_run: bool, as_json: bool) -> int:
    """Import and report each URL as it is done; the number that failed."""
    archive = _open_archive(state, dry_run)
    failed = 0
    try:
        with Fetcher(state.config.fetch) as fetcher, _progress(len(urls)) as advance:
            for result in Importer(archive, fetcher).import_urls(urls):
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
