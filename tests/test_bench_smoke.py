"""The benchmark scripts run (python -m bench --quick, part by part) so that they do not rot.

Nothing here is timed: the figures are the benchmarks' business (README "Benchmarks"), not the suite's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import run
from bench.search import archive_path


def quick(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert run.main(["--quick", *args]) == 0
    out = capsys.readouterr().out
    assert out.startswith("vnnews benchmarks (--quick)")
    return out


def test_extraction(shared_pages: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = quick(capsys, "--only", "extraction", "--pages", str(shared_pages))
    assert "extraction vov" in out and "extraction, all pages" in out
    assert "selectolax parse only" in out


def test_ingest(capsys: pytest.CaptureFixture[str]) -> None:
    out = quick(capsys, "--only", "ingest", "--ingest-n", "40")
    assert "ingest, 40 articles" in out and "plain insert + FTS" in out and "plain insert, no FTS" in out


def test_crawl_and_memory(capsys: pytest.CaptureFixture[str]) -> None:
    out = quick(capsys, "--only", "crawl,memory", "--crawl-n", "30", "--memory-n", "40")
    assert "crawl, 30 pages" in out and "plain httpx GETs" in out and "ms CPU/page" in out
    assert "memory, 40-page crawl" in out and "peak RSS" in out
    assert "WARNING" not in out  # every page was fetched and archived


def test_search(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = quick(capsys, "--only", "search", "--search-n", "300", "--cache-dir", str(tmp_path))
    assert "search, N = 300: one word" in out and "p95" in out
    built = archive_path(tmp_path, 300)
    assert built.is_file() and not list(tmp_path.glob("*.partial*"))  # built once, kept for reuse
    modified = built.stat().st_mtime_ns
    quick(capsys, "--only", "search", "--search-n", "300", "--cache-dir", str(tmp_path))
    assert built.stat().st_mtime_ns == modified  # reused, not rebuilt


def test_unknown_part_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run.main(["--only", "speed"])
    assert exit_info.value.code == 2
    assert "unknown part(s) speed" in capsys.readouterr().err
