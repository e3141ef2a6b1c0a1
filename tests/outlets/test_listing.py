"""`vnnews outlets`: the README's outlet table is its --markdown output, not a hand-kept copy."""

from __future__ import annotations

import re

from click.testing import CliRunner

from scraper.cli import main
from scraper.outlets import all_outlets

from .pages import REPO


def run(*args: str) -> str:
    result = CliRunner().invoke(main, ["outlets", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_readme_table_is_the_generated_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- outlets:start -->\n(.*?)<!-- outlets:end -->", readme, re.S)
    assert match, "README.md has no <!-- outlets:start --> / <!-- outlets:end --> block"
    assert match.group(1) == run("--markdown"), "regenerate it: vnnews outlets --markdown"


def test_markdown_has_a_row_per_outlet() -> None:
    rows = [line for line in run("--markdown").splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [outlet.key for outlet in all_outlets()]


def test_text_lists_feeds_under_their_outlet() -> None:
    lines = run().splitlines()
    assert lines[0].split()[:3] == ["key", "outlet", "domains"]
    vov = next(i for i, line in enumerate(lines) if line.startswith("vov "))
    assert lines[vov + 1].strip() == "https://vov.vn/rss/home.rss"
