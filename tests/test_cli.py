"""`vnnews` through its installed entry point, against a real HTTP server standing in for the outlets."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage.db import head_revision
from tests.httpserver import Reply, ScriptedServer, file_reply, html, redirect

VNNEWS = Path(sys.executable).with_name("vnnews")
VOV_URL = "https://vov.vn/the-thao/argentina-doi-dien-an-phat-tu-fifa-sau-khi-vao-chung-ket-world-cup-2026-post1315698.vov"
VOV_PATH = VOV_URL.removeprefix("https://vov.vn")
VOV_PAGE = "vov.vn/article-2026-07-16-argentina-fifa-post1315698.html"
CONGLUAN_URL = "https://congluan.vn/nhat-ban-va-han-quoc-dam-phan-han-gan-quan-he-song-phuong-post116742.html"
CONGLUAN_PAGE = "congluan.vn/nhat-ban-han-quoc-dam-phan-han-gan-quan-he-post-reconstructed.html"
SOHA_PAGE = "soha.vn/article-2026-07-20-oto-boc-chay-via-he-tphcm-198260720023243246.html"


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Env:
    server: ScriptedServer
    config: Path
    db: Path
    pages: Path

    def run(self, *args: str, stdin: str | None = None, config: Path | None = None) -> Run:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VNNEWS_")}
        command = [str(VNNEWS), "--config", str(config or self.config), "--db", str(self.db), *args]
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, timeout=60)
        return Run(done.returncode, done.stdout, done.stderr)

    def query(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db) as connection:
            return connection.execute(sql).fetchall()


@pytest.fixture
def env(http_server: ScriptedServer, shared_pages: Path, tmp_path: Path) -> Env:
    origin = http_server.url("/").rstrip("/")
    config = tmp_path / "config.toml"
    config.write_text(
        "[fetch]\ntimeout = 1.0\nconnect_timeout = 1.0\nattempts = 3\nbackoff_initial = 0.01\n"
        'backoff_max = 0.05\nretry_after_max = 5.0\ncontact = "tests@vnnews.invalid"\n'
        f'[fetch.connect_to]\n"vov.vn" = "{origin}"\n"congluan.vn" = "{origin}"\n'
        f'"haiquanonline.com.vn" = "{origin}"\n"example.com" = "{origin}"\n'
    )
    return Env(http_server, config, tmp_path / "archive.sqlite3", shared_pages)


def test_import_new_then_unchanged(env: Env) -> None:
    env.server.serve_file(VOV_PATH, env.pages / VOV_PAGE)
    first = env.run("import", VOV_URL)
    assert first.code == 0, first.err
    assert first.out.startswith(f'new        {VOV_URL}  article #1 "Argentina đối diện án phạt từ FIFA')
    again = env.run("import", VOV_URL)
    assert (again.code, again.out.split()[0]) == (0, "unchanged")
    assert env.query("SELECT count(*) FROM articles") == [(1,)]
    assert env.query("SELECT url FROM sightings") == [(VOV_URL,)]
    assert env.query("SELECT outcome FROM fetch_log ORDER BY id") == [("new",), ("unchanged",)]
    request = env.server.requests[0]
    assert request.headers["host"] == "vov.vn"
    assert "vnnews/" in request.user_agent and "tests@vnnews.invalid" in request.user_agent


def test_same_story_at_another_url_is_a_duplicate(env: Env) -> None:
    env.server.serve_file(
        "/nhat-ban-va-han-quoc-dam-phan-han-gan-quan-he-song-phuong-post116742.html",
        env.pages / CONGLUAN_PAGE,
    )
    env.server.serve_file("/copy-post999.html", env.pages / CONGLUAN_PAGE)
    result = env.run("import", CONGLUAN_URL, "https://congluan.vn/copy-post999.html?utm_source=fb")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("new ")
    # The copy's own <link rel=canonical> names the first URL, so the sighting is that URL.
    assert lines[1].startswith("duplicate  https://congluan.vn/copy-post999.html  duplicate of article #1")
    assert env.query("SELECT count(*) FROM articles") == [(1,)]
    assert env.query("SELECT url FROM pages ORDER BY id") == [
        (CONGLUAN_URL,),
        ("https://congluan.vn/copy-post999.html",),
    ]


def test_changed_page_is_a_new_version(env: Env) -> None:
    original = (env.pages / CONGLUAN_PAGE).read_bytes()
    changed = original.replace("Hai bên thường xuyên".encode(), "Cập nhật: Hai bên thường xuyên".encode())
    path = CONGLUAN_URL.removeprefix("https://congluan.vn")
    env.server.route(path, [html(original.decode()), html(changed.decode())])
    assert env.run("import", CONGLUAN_URL).out.startswith("new ")
    second = env.run("import", CONGLUAN_URL)
    assert second.out.startswith(f"version    {CONGLUAN_URL}  article #2 ") and "replaces #1" in second.out
    assert env.query("SELECT id, supersedes_id FROM articles ORDER BY id") == [(1, None), (2, 1)]
    assert env.query("SELECT id FROM latest_articles") == [(2,)]


@pytest.mark.parametrize(
    ("replies", "reason", "message"),
    [
        ([Reply(status=404)], "http-404", "HTTP 404"),
        ([Reply(status=410)], "http-410", "HTTP 410"),
        ([Reply(status=503)], "http-503", "after 3 attempts"),
        ([Reply(delay=3.0)], "timeout", "timed out"),
        (
            [Reply(body=b"%PDF-1.4", headers={"Content-Type": "application/pdf"})],
            "not-html",
            "application/pdf",
        ),
        (
            [Reply(body=b"<html>" + b"x" * 6_000_000, headers={"Content-Type": "text/html"})],
            "too-large",
            "larger than",
        ),
        ([html("<html><body><p>Trang không có bài.</p></body></html>")], "no-article", "no article"),
    ],
)
def test_failures_are_one_line_recorded_and_exit_1(
    env: Env, replies: list[Reply], reason: str, message: str
) -> None:
    env.server.serve_file("/kept-post1.vov", env.pages / VOV_PAGE)
    assert env.run("import", "https://vov.vn/kept-post1.vov").code == 0
    env.server.route("/bad-post2.vov", replies)
    result = env.run("import", "https://vov.vn/bad-post2.vov")
    assert result.code == 1
    assert result.out.startswith("failed     https://vov.vn/bad-post2.vov  ")
    assert message in result.out and len(result.out.splitlines()) == 1
    assert env.query("SELECT outcome, reason FROM fetch_log ORDER BY id") == [
        ("new", None),
        ("failed", reason),
    ]
    assert env.query("SELECT count(*) FROM articles") == [(1,)]  # what was stored is untouched


def test_retries_then_success(env: Env) -> None:
    env.server.route(
        VOV_PATH,
        [
            Reply(status=500),
            Reply(status=429, headers={"Retry-After": "1"}),
            file_reply(env.pages / VOV_PAGE),
        ],
    )
    result = env.run("import", VOV_URL)
    assert result.code == 0 and result.out.startswith("new ")
    times = [r.started for r in env.server.requests_to(VOV_PATH)]
    assert len(times) == 3 and times[2] - times[1] >= 0.95  # Retry-After honoured


def test_redirect_is_followed(env: Env) -> None:
    env.server.route("/old-post1315698.vov", redirect(VOV_PATH))
    env.server.serve_file(VOV_PATH, env.pages / VOV_PAGE)
    result = env.run("import", "https://vov.vn/old-post1315698.vov")
    assert result.code == 0 and result.out.startswith("new ")
    assert env.query("SELECT url FROM sightings") == [(VOV_URL,)]


def test_unknown_outlet_goes_to_the_generic_extractor_and_bad_url_fails(env: Env) -> None:
    # A real article page (Soha's) served under a host no outlet module knows.
    env.server.serve_file("/news-1.html", env.pages / SOHA_PAGE)
    result = env.run(
        "import", "https://example.com/news-1.html", "https://example.com/missing.html", "not a url"
    )
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith('new        https://example.com/news-1.html  article #1 "CLIP: Ô tô bất ngờ')
    assert lines[0].endswith(" (generic extractor)")
    assert lines[1].startswith("failed     https://example.com/missing.html  HTTP 404")
    assert lines[2] == "failed     not a url  not an http(s) URL: 'not a url'"
    assert env.query("SELECT o.key, a.extractor FROM articles a JOIN outlets o ON o.id = a.outlet_id") == [
        ("example.com", "generic")
    ]
    assert [r.path for r in env.server.requests] == ["/news-1.html", "/missing.html"]


def test_urls_from_stdin_continue_after_a_failure(env: Env) -> None:
    env.server.serve_file(VOV_PATH, env.pages / VOV_PAGE)
    result = env.run("import", "-", stdin=f"# a comment\nhttps://vov.vn/missing-post1.vov\n\n{VOV_URL}\n")
    assert result.code == 1
    assert [line.split()[0] for line in result.out.splitlines()] == ["failed", "new"]


def test_saved_page_json_dry_run_stores_nothing(env: Env) -> None:
    result = env.run(
        "import", "--html", str(env.pages / CONGLUAN_PAGE), "--url", CONGLUAN_URL, "--dry-run", "--json"
    )
    assert result.code == 0, result.err
    article = json.loads(result.out)
    assert set(article) == {
        "url",
        "canonical_url",
        "outlet",
        "title",
        "sapo",
        "body",
        "authors",
        "published_at",
        "updated_at",
        "section",
        "tags",
        "images",
        "language",
        "extractor",
        "extractor_version",
        "content_hash",
    }
    assert article["title"] == "Nhật Bản và Hàn Quốc đàm phán hàn gắn quan hệ song phương"
    assert article["published_at"] == "2020-11-13T09:53:00+07:00"
    assert result.err.startswith("extracted ")
    assert not env.db.exists()
    assert env.server.requests == []


def test_saved_page_is_archived(env: Env) -> None:
    result = env.run("import", "--html", str(env.pages / CONGLUAN_PAGE), "--url", CONGLUAN_URL)
    assert result.code == 0 and result.out.startswith("new ")
    assert env.query("SELECT count(*), min(status) FROM raw_pages") == [(1, 200)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import",), "no URL given"),
        (("import", "--html", "x.html"), "--html takes exactly one saved page and its --url"),
        (("import", "--url", VOV_URL, VOV_URL), "--url only goes with --html"),
        (("import", "--html", "/nonexistent.html", "--url", VOV_URL), "cannot read /nonexistent.html"),
    ],
)
def test_usage_errors_exit_2(env: Env, args: tuple[str, ...], message: str) -> None:
    result = env.run(*args)
    assert result.code == 2
    assert message in result.err


def test_broken_config_names_the_key(env: Env, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[fetch]\ntimeout = 'soon'\n")
    result = env.run("import", VOV_URL, config=broken)
    assert result.code == 2
    assert result.err.strip() == "vnnews: error: config: 'fetch.timeout' must be float, got str 'soon'"


def test_unwritable_archive_exit_3(env: Env, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = subprocess.run(
        [str(VNNEWS), "--config", str(env.config), "--db", str(blocker / "a.sqlite3"), "db", "upgrade"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stderr.startswith("vnnews: error: cannot create the archive directory")


def test_db_upgrade_and_current(env: Env) -> None:
    first = env.run("db", "upgrade")
    assert first.code == 0 and "upgraded from empty to revision" in first.out
    assert "already at revision" in env.run("db", "upgrade").out
    assert env.run("db", "current").out.strip().endswith(f"(head {head_revision()})")


def test_help_documents_every_command() -> None:
    for args in ([], ["import"], ["db"], ["db", "upgrade"], ["db", "current"]):
        done = subprocess.run([str(VNNEWS), *args, "--help"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "Usage: vnnews" in done.stdout
