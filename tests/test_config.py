from pathlib import Path

import pytest

from scraper.config import Config, load_config, parse_config
from scraper.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_repo_config_parses_and_equals_defaults() -> None:
    config = load_config(str(REPO / "config.toml"))
    defaults = Config()
    assert config.fetch == defaults.fetch
    assert config.archive == defaults.archive
    assert config.crawl == defaults.crawl
    assert set(config.outlets) == {"vov", "congluan", "haiquan"}
    assert config.archive_path() == REPO / "data" / "vnnews.sqlite3"


def test_archive_path_relative_to_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VNNEWS_DB", raising=False)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "config.toml").write_text('[archive]\npath = "archive/news.sqlite3"\n')
    monkeypatch.chdir(tmp_path)  # cron runs from $HOME: the working directory must not matter
    config = load_config(str(tmp_path / "conf" / "config.toml"))
    assert config.archive_path() == tmp_path / "conf" / "archive" / "news.sqlite3"
    monkeypatch.setenv("VNNEWS_DB", str(tmp_path / "env.sqlite3"))
    assert config.archive_path() == tmp_path / "env.sqlite3"
    assert config.archive_path(str(tmp_path / "flag.sqlite3")) == tmp_path / "flag.sqlite3"
    # Relative --db and $VNNEWS_DB name a file in the working directory, not beside the config.
    assert config.archive_path("flag.sqlite3") == tmp_path / "flag.sqlite3"
    monkeypatch.setenv("VNNEWS_DB", "env.sqlite3")
    assert config.archive_path() == tmp_path / "env.sqlite3"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fetch]\ntimeot = 3", "unknown key 'fetch.timeot'"),
        ('[fetch]\ntimeout = "fast"', "'fetch.timeout' must be float"),
        ("[fetch]\nmax_bytes = -1", "'fetch.max_bytes' must be positive"),
        ("[fetch]\nattempts = true", "'fetch.attempts' must be int"),
        ("[fetch\ntimeout = 1", "is not valid TOML"),
        ("[archiv]\npath = 'x'", "unknown section 'archiv'"),
        ("[outlets.vov]\nenable = true", "unknown key 'outlets.vov.enable'"),
        ("outlets = 3", "[outlets] must be a table"),
    ],
)
def test_bad_config_names_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(text, Path("."))
    assert message in str(error.value)
    assert "\n" not in str(error.value).split(": ", 1)[0]


def test_integer_for_float_is_accepted() -> None:
    assert parse_config("[fetch]\ntimeout = 5", Path(".")).fetch.timeout == 5.0


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(str(tmp_path / "nope.toml"))
