"""search, sql, export, stats and reextract: through the installed `vnnews` (a few runs) and in-process."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.fetch import FetchedPage
from scraper.importer import Importer
from scraper.outlets import get_outlet
from storage.archive import utcnow
from storage.export import record_to_article
from tests.archive_factory import fill_small, log_fetches, open_archive
from tests.test_reextract import URL, A

VNNEWS = Path(sys.executable).with_name("vnnews")


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "archive.sqlite3"
    with open_archive(path) as archive:
        fill_small(archive)
    return path


def vnnews(db: Path, *args: str, stdin: str | None = None) -> Run:
    """The installed entry point, as cron or a shell runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VNNEWS_")}
    done = subprocess.run(
        [str(VNNEWS), "--db", str(db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def in_process(db: Path, *args: str, stdin: str | None = None) -> Run:
    result = CliRunner().invoke(main, ["--db", str(db), *args], input=stdin)
    return Run(result.exit_code, result.stdout, result.stderr)


def test_search(db: Path) -> None:
    result = vnnews(db, "search", "dam phan")
    assert result.code == 0, result.err
    assert result.out.splitlines()[:3] == [
        "1. Nhật Bản và Hàn Quốc **đàm** **phán** hàn gắn quan hệ",
        "   vov · 2026-07-16 08:46 · #1 · https://vov.vn/nhat-han-post1.vov",
        "   Hai nước **đàm** **phán** tại Seoul. Quan hệ song phương được cải thiện.",
    ]
    found = in_process(db, "search", '"Hàn Quốc" OR "Dong Nai"', "--outlet", "haiquan", "--json")
    (hit,) = [json.loads(line) for line in found.out.splitlines()]
    assert (hit["title"], hit["outlet"]) == ("Xuất khẩu tăng", "haiquan")
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["Han Quoc"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("search", "dam", "--since", "soon"), "--since: cannot read a date in 'soon'"),
        (("search", "--", "-dam"), "nothing to search for"),
        (("search", "dam", "--outlet", "nope"), "unknown outlet 'nope'"),
        (("export", "--until", "tomorrow"), "--until: cannot read a date"),
    ],
)
def test_query_errors_exit_2(db: Path, args: tuple[str, ...], message: str) -> None:
    result = in_process(db, *args)
    assert result.code == 2 and message in result.err


def test_search_dates_and_no_match(db: Path) -> None:
    assert "Xuất khẩu tăng" in in_process(db, "search", "han", "--since", "2026-07-17").out
    until = in_process(db, "search", "han", "--until", "2026-07-16")  # the whole day of 07-16
    assert "Nhật Bản" in until.out and "Xuất khẩu" not in until.out
    nothing = in_process(db, "search", "zzz")
    assert (nothing.code, nothing.out, nothing.err) == (0, "", "no article matches\n")


def test_sql_reads_and_refuses_writes(db: Path) -> None:
    table = in_process(db, "sql", "SELECT key, name FROM outlets ORDER BY key")
    assert table.code == 0 and table.out.splitlines() == [
        "key       name",
        "--------  ---------",
        "congluan  Công luận",
        "haiquan   Hải quan",
        "vov       VOV",
    ]
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    refused = vnnews(db, "sql", "DELETE FROM articles")
    assert (refused.code, refused.err) == (
        2,
        "vnnews: error: vnnews sql is read-only: DELETE articles refused; nothing was changed\n",
    )
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    piped = vnnews(
        db, "sql", "-", "--format", "jsonl", stdin="SELECT outlets, url_count FROM multi_outlet_stories"
    )
    (story,) = [json.loads(line) for line in piped.out.splitlines()]
    assert (sorted(story["outlets"].split(",")), story["url_count"]) == (["congluan", "vov"], 2)


def test_sql_formats(db: Path) -> None:
    sql = "SELECT id, title FROM latest_articles ORDER BY id LIMIT 2"
    as_csv = in_process(db, "sql", sql, "--format", "csv").out
    assert list(csv.reader(io.StringIO(as_csv))) == [
        ["id", "title"],
        ["1", "Nhật Bản và Hàn Quốc đàm phán hàn gắn quan hệ"],
        ["3", "Mưa lớn ở Đồng Nai"],
    ]
    assert json.loads(in_process(db, "sql", sql, "--format", "json").out)[1] == {
        "id": 3,
        "title": "Mưa lớn ở Đồng Nai",
    }
    blob = in_process(db, "sql", "SELECT x'00ff' AS b", "--format", "json").out
    assert json.loads(blob) == [{"b": {"$base64": True, "encoded": "AP8="}}]
    assert (
        in_process(db, "sql", "SELECT * FROM nope").err == "vnnews: error: SQL error: no such table: nope\n"
    )


def test_export_round_trip(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    result = vnnews(db, "export", "-o", str(target))
    assert result.code == 0 and result.err == f"exported 4 articles to {target}\n"
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [record_to_article(r).url for r in records] == [
        "https://vov.vn/nhat-han-post1.vov",
        "https://vov.vn/mua-lon-dong-nai-post2.vov",
        "https://vov.vn/mua-lon-dong-nai-post2.vov",
        "https://haiquanonline.com.vn/xuat-khau-170462.html",
    ]
    latest_csv = in_process(db, "export", "--format", "csv", "--latest", "--outlet", "vov").out
    assert [row["id"] for row in csv.DictReader(io.StringIO(latest_csv))] == ["1", "3"]


def test_stats_check_raises_the_alarm(db: Path) -> None:
    quiet = in_process(db, "stats", "--check")
    assert quiet.code == 0 and quiet.out.startswith("outlet") and "last crawl runs" in quiet.out
    with open_archive(db) as archive:
        now = utcnow()
        for day in range(2, 6):
            log_fetches(archive, "haiquan", now - timedelta(days=day), 12)
        log_fetches(archive, "haiquan", now - timedelta(hours=2), 12, outcome="failed", reason="no-article")
    result = vnnews(db, "stats", "--check", "--json")
    assert result.code == 5
    assert result.err == "ALARM haiquan: no article extracted from 12 pages in the last 24 h\n"
    assert json.loads(result.out)["alarms"] == {
        "haiquan": "no article extracted from 12 pages in the last 24 h"
    }


def test_reextract(tmp_path: Path) -> None:
    db = tmp_path / "archive.sqlite3"
    with open_archive(db) as archive:
        page = FetchedPage(URL, URL, 200, {}, A.encode(), A, "utf-8", utcnow() - timedelta(hours=1))
        Importer(archive).process(get_outlet("haiquan"), URL, page)
    result = vnnews(db, "reextract", "--outlet", "haiquan", "--since", "1d")
    assert (result.code, result.out) == (
        0,
        "reextracted 1 pages: 0 changed (0 version, 0 updated, 0 new, 0 duplicate, 1 unchanged, 0 failed)\n",
    )


def test_missing_archive_exit_3(tmp_path: Path) -> None:
    for command in (["search", "x"], ["sql", "SELECT 1"], ["export"], ["stats"]):
        result = in_process(tmp_path / "none.sqlite3", *command)
        assert result.code == 3 and "no archive at" in result.err
    assert not (tmp_path / "none.sqlite3").exists()


@pytest.mark.parametrize("command", ["search", "sql", "export", "stats", "reextract"])
def test_help_has_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Examples:" in result.output and f"vnnews {command}" in result.output
