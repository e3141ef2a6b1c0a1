"""config.toml → frozen dataclasses. Unknown keys and bad values are errors that name the key."""

from __future__ import annotations

import os
import tomllib
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from scraper.errors import ConfigError

CONFIG_ENV = "VNNEWS_CONFIG"
DB_ENV = "VNNEWS_DB"
# A source checkout (and an editable install) keeps its config.toml beside scraper/.
PROJECT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"
USER_DATA_DIR = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "vnnews"


@dataclass(frozen=True)
class ArchiveConfig:
    path: str = "data/vnnews.sqlite3"


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = "vnnews/{version} (+{contact})"
    contact: str = "https://github.com/vnnews/vnnews"
    timeout: float = 20.0
    connect_timeout: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    attempts: int = 4
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    retry_after_max: float = 120.0
    # host → "http://address:port": connect there instead, keeping the URL and the Host header (like
    # curl --connect-to), so a crawl can run against a local mirror or stand-in of the outlets.
    connect_to: dict[str, str] = field(default_factory=dict)


# Numbers in the config are sizes, counts or durations: positive, except where zero means "off".
ZERO_OK = {"zero_ok": True}


@dataclass(frozen=True)
class CrawlConfig:
    workers: int = 8  # fetches in flight across all hosts
    per_host_concurrency: int = 2  # fetches in flight to one host
    min_delay: float = field(default=1.0, metadata=ZERO_OK)  # seconds between request starts to one host
    max_pages: int = 500  # article pages fetched per outlet per run
    recheck_window_hours: float = field(default=48.0, metadata=ZERO_OK)  # re-check articles this recent
    recheck_interval_minutes: float = 120.0  # ... at most this often
    retry_failed_minutes: float = 30.0  # a failed page is retried after this, doubling per failure
    max_page_failures: int = 5  # then it is left alone
    obey_robots: bool = True


@dataclass(frozen=True)
class OutletConfig:
    enabled: bool = True  # a [outlets.<key>] table that is present but silent means "follow it"
    # Per-outlet overrides of [crawl] min_delay / per_host_concurrency.
    min_delay: float | None = field(default=None, metadata={"type": float, **ZERO_OK})
    concurrency: int | None = field(default=None, metadata={"type": int})


@dataclass(frozen=True)
class Config:
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    outlets: dict[str, OutletConfig] = field(default_factory=dict)
    # Directory relative paths in the file are resolved against (the config file's own directory).
    base_dir: Path = field(default_factory=Path.cwd)
    source: Path | None = None

    def archive_path(self, override: str | None = None) -> Path:
        """The SQLite file: ``override`` (--db), else $VNNEWS_DB, else [archive] path from the config.

        A relative path is read where it was written: the config's beside the config file (cron runs from
        anywhere), a --db or $VNNEWS_DB one in the working directory, as a shell user means it.
        """
        given = override or os.environ.get(DB_ENV)
        path = Path(given or self.archive.path).expanduser()
        if path.is_absolute():
            return path
        return (Path.cwd() if given else self.base_dir) / path

    def outlet_enabled(self, key: str, default: bool) -> bool:
        """[outlets.<key>] enabled when the config says, else the outlet's own default."""
        configured = self.outlets.get(key)
        return configured.enabled if configured is not None else default

    def host_limits(self, key: str) -> tuple[int, float]:
        """(concurrency, min_delay) for the hosts of outlet ``key``: its overrides, else [crawl]."""
        own = self.outlets.get(key, OutletConfig())
        concurrency = own.concurrency if own.concurrency is not None else self.crawl.per_host_concurrency
        return concurrency, own.min_delay if own.min_delay is not None else self.crawl.min_delay


T = TypeVar("T")


def _section(cls: type[T], raw: Any, where: str) -> T:
    if not isinstance(raw, dict):
        raise ConfigError(f"config: [{where}] must be a table, got {type(raw).__name__}")
    known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"config: unknown key '{where}.{key}' (known: {', '.join(sorted(known))})")
        expected = _value_type(known[key])
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(
                f"config: '{where}.{key}' must be {expected.__name__}, got {type(value).__name__} {value!r}"
            )
        if isinstance(value, int | float) and not isinstance(value, bool):
            _check_number(value, known[key], f"{where}.{key}")
        if isinstance(value, dict):
            _check_address_map(value, f"{where}.{key}")
        values[key] = value
    return cls(**values)


def _check_number(value: float, spec: Field[Any], where: str) -> None:
    """Numbers are sizes, counts or durations: positive, or zero where zero means "off"."""
    zero_ok = bool(spec.metadata.get("zero_ok"))
    if value < 0 or (value == 0 and not zero_ok):
        raise ConfigError(
            f"config: '{where}' must be {'zero or more' if zero_ok else 'positive'}, got {value!r}"
        )


def _value_type(spec: Field[Any]) -> type:
    if "type" in spec.metadata:  # optional overrides: None by default, a number when set
        return spec.metadata["type"]  # type: ignore[no-any-return]
    if spec.default is MISSING and spec.default_factory is not MISSING:
        return type(spec.default_factory())
    return type(spec.default)


def _check_address_map(mapping: dict[str, Any], where: str) -> None:
    for host, address in mapping.items():
        parts = urlsplit(address) if isinstance(address, str) else None
        if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ConfigError(
                f"config: '{where}.\"{host}\"' must be an http(s)://host:port address, got {address!r}"
            )


def parse_config(text: str, base_dir: Path, source: Path | None = None) -> Config:
    """Parse the text of a config.toml; ``base_dir`` anchors relative paths."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: {source or 'config.toml'} is not valid TOML: {exc}") from None
    unknown = set(raw) - {"archive", "fetch", "crawl", "outlets"}
    if unknown:
        raise ConfigError(
            f"config: unknown section '{sorted(unknown)[0]}' (known: archive, fetch, crawl, outlets)"
        )
    outlets_raw = raw.get("outlets", {})
    if not isinstance(outlets_raw, dict):
        raise ConfigError("config: [outlets] must be a table of [outlets.<key>] tables")
    outlets = {key: _section(OutletConfig, value, f"outlets.{key}") for key, value in outlets_raw.items()}
    return Config(
        archive=_section(ArchiveConfig, raw.get("archive", {}), "archive"),
        fetch=_section(FetchConfig, raw.get("fetch", {}), "fetch"),
        crawl=_section(CrawlConfig, raw.get("crawl", {}), "crawl"),
        outlets=outlets,
        base_dir=base_dir,
        source=source,
    )


def find_config(explicit: str | None = None) -> Path | None:
    """--config, else $VNNEWS_CONFIG, else ./config.toml, else the source checkout's config.toml."""
    chosen = explicit or os.environ.get(CONFIG_ENV)
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise ConfigError(f"config: no such file: {path}")
        return path
    for candidate in (Path.cwd() / "config.toml", PROJECT_CONFIG):
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: str | None = None) -> Config:
    """The config in force; built-in defaults (archive under ~/.local/share/vnnews) when no file is found."""
    path = find_config(explicit)
    if path is None:
        return Config(base_dir=USER_DATA_DIR)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config: cannot read {path}: {exc}") from None
    return parse_config(text, base_dir=path.resolve().parent, source=path)
