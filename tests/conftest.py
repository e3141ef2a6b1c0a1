"""Shared fixtures: a scripted HTTP server, the reference pages, a fetch config with tiny timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.config import FetchConfig
from tests.httpserver import ScriptedServer

SHARED_PAGES = Path(__file__).resolve().parents[1].parent / "shared" / "pages"


@pytest.fixture
def http_server() -> Iterator[ScriptedServer]:
    """A real HTTP/1.1 server on 127.0.0.1 (tests/httpserver.py); stopped, connections closed at teardown."""
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def shared_pages() -> Path:
    """The reference pages in ../shared/pages (MANIFEST.tsv, EXPECTED.json, one folder per outlet)."""
    if not SHARED_PAGES.is_dir():
        pytest.skip(f"reference pages not found at {SHARED_PAGES}; ../shared is present in CI")
    return SHARED_PAGES


@pytest.fixture
def fast_fetch_config() -> FetchConfig:
    """Small timeouts and backoff so retry tests take milliseconds (tests inject ``sleep`` as well)."""
    return FetchConfig(
        timeout=1.0,
        connect_timeout=1.0,
        attempts=3,
        backoff_initial=0.01,
        backoff_max=0.05,
        retry_after_max=5,
    )
