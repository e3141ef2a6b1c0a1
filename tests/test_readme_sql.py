"""Every ```sql block of README.md runs verbatim, with no code of ours, on a small real archive."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.archive_factory import fill_small, open_archive

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"^```sql\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)


def statements(block: str) -> list[str]:
    """The block cut into statements the way the sqlite3 shell reads them."""
    found, pending = [], ""
    for line in block.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip())
            pending = ""
    assert not pending.strip(), f"an unfinished statement in README.md: {pending!r}"
    return found


STATEMENTS = [statement for block in BLOCKS for statement in statements(block)]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("readme") / "archive.sqlite3"
    with open_archive(path) as opened:
        fill_small(opened)
    return path


def test_the_readme_has_sql_examples() -> None:
    assert len(BLOCKS) >= 1 and len(STATEMENTS) >= 10


@pytest.mark.parametrize("statement", STATEMENTS, ids=lambda s: s.splitlines()[0].removeprefix("-- ")[:60])
def test_example_runs_with_python_sqlite3(archive: Path, statement: str) -> None:
    with sqlite3.connect(f"file:{archive}?mode=ro", uri=True) as connection:
        rows = connection.execute(statement).fetchall()
    if "MATCH" in statement:  # the search recipes find the stories they are written for
        assert rows, statement


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="no sqlite3 shell installed")
def test_every_block_runs_in_the_sqlite3_shell(archive: Path) -> None:
    output = ""
    for block in BLOCKS:
        done = subprocess.run(
            ["sqlite3", "-bail", "-readonly", str(archive)],
            input=block,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert (done.returncode, done.stderr) == (0, ""), block
        output += done.stdout
    assert "Mưa lớn ở Đồng Nai" in output and "Hàn Quốc đàm phán" in output  # the search recipes found them
