"""bench/quality.py runs on the reference pages (so it does not rot) and keeps the site extractors exact."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_quality", REPO / "bench" / "quality.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_main_prints_a_row_per_outlet(shared_pages: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench()
    assert bench.main(["--pages", str(shared_pages)]) == 0
    out = capsys.readouterr().out
    rows = {tuple(line.split()[:2]) for line in out.splitlines() if line.split()[:1] != ["outlet"]}
    assert {("vnexpress", "site"), ("vnexpress", "generic"), ("ALL", "site")} <= rows


def test_site_extractors_are_exact_and_generic_is_close(shared_pages: Path) -> None:
    bench = load_bench()
    for case in bench.load_cases(shared_pages):
        html = (shared_pages / case.file).read_bytes()
        site = bench.site_specific(html, case.url)
        assert bench.prf(site.body, case.body)[2] >= 0.99, case.file
        assert (site.title, site.published, site.authors) == (case.title, case.published, case.authors)
        assert bench.prf(bench.generic(html, case.url).body, case.body)[2] >= 0.8, case.file


def test_shingle_metric() -> None:
    bench = load_bench()
    assert bench.prf("Một hai ba bốn năm", "một, hai ba bốn năm") == (1.0, 1.0, 1.0)
    precision, recall, f1 = bench.prf("một hai ba bốn năm sáu", "một hai ba bốn")
    assert (precision, recall) == (1 / 3, 1.0) and f1 == pytest.approx(0.5)
    assert bench.prf("", "một hai") == (0.0, 0.0, 0.0)
