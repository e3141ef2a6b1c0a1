"""Full-text search with or without Vietnamese diacritics: an FTS5 index over a folded copy of the text.

How it is built, and why:

- ``fold_for_search`` maps every Latin letter to its bare lower-case form (đ → d, ộ → o, Ư → u) one
  character for one character. Both the indexed text and every query are folded, so "dam phan",
  "đàm phán" and "ĐÀM PHÁN" are the same terms. FTS5's own ``remove_diacritics 2`` cannot do this: it
  leaves đ/Đ alone (MEASURED.md), and the plain ``sqlite3`` shell cannot call Python from a trigger.
- So the index is written from Python, by ``Archive.save`` (the one write path) in the same transaction
  as the article row (``index_rows``), and rebuilt in bulk by ``rebuild_index`` (migration 0003).
  What is written there is ``fold_for_index``: Vietnamese text made ASCII (letters bare, common
  punctuation made spaces) by two table lookups in C, since the tokenizer handles ASCII several times
  faster than other characters; text with any other character gets only đ/ð mapped, the tokenizer folding
  case and tone marks itself. The FTS5 tokens are the same as the full fold's either way
  (tests/storage/test_search_fold.py checks every character), so archives indexed either way answer the
  same queries.
- ``articles_fts`` is *contentless* (``content=''``): the original text already lives in ``articles``
  and a second, folded copy of every body would double the archive for nothing; snippets are cut from
  the original text in Python (storage.highlight), which a folded copy could not give anyway. A
  contentless table forgets a row only when told its words again (``unindex_rows``): an article's text
  never changes (a changed text is a new row, DESIGN rule 4); when a page gives the same text with a new
  title or sapo, the archive removes the row's old words and adds the new ones in the same transaction.
- Ranking (``search``): among the newest ``CANDIDATES`` matches (recency matters in news), the ones
  whose title holds the query come first, then the ones whose sapo does, then the rest; newest first
  within each tier. Every step is an FTS5 walk newest first that stops after the rows it needs. bm25,
  the earlier ranking, could not be made fast: it counts, once per query, every article of the whole
  index holding each term or phrase (its IDF), 30-60 ms at 1M articles for common words and phrases
  ("Hà Nội", "hàng không") whatever the window, and Python's sqlite3 cannot register a cheaper FTS5
  ranking function. The table's own ``rank`` stays bm25 (title 10, sapo 3, body 1) for sqlite3 users.
- The tokenizer still removes diacritics, so ``sqlite3`` users typing "Hàn Quốc" find "Han Quoc";
  only đ must be typed as d there (README "Searching from sqlite3 or Datasette").
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from scraper.errors import QueryError
from storage.filters import Filters, article_conditions, check_outlets, is_current
from storage.models import Article as ArticleRow
from storage.models import Outlet

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

FTS_TABLE = "articles_fts"
# The table's own `rank`, for ORDER BY rank in the sqlite3 shell: bm25 with column weights (title, sapo,
# body), a term in the title outranking the same term in the body.
WEIGHTS = (10.0, 3.0, 1.0)
RANK_CONFIG = f"bm25({', '.join(map(str, WEIGHTS))})"
Sort = Literal["rank", "newest"]
# The window: matches ranked before older ones, the newest this many (README "vnnews search").
CANDIDATES = 5_000


def _fold_table() -> dict[int, str]:
    """Latin letters with diacritics → the bare letter; one character for one, so offsets carry over."""
    table: dict[int, str] = {}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        decomposed = unicodedata.normalize("NFD", chr(code))
        bare = "".join(c for c in decomposed if not unicodedata.combining(c))
        if len(bare) == 1 and bare != chr(code):
            table[code] = bare
    # No Unicode decomposition for these, so NFD cannot strip them (the đ/Đ that FTS5 misses).
    table.update({ord("đ"): "d", ord("Đ"): "d", ord("ð"): "d", ord("Ð"): "d"})
    table[0x0130] = "i"  # İ: the one character whose lower() is two characters long
    return table


_FOLD = _fold_table()
# The same table as a list over the Basic Multilingual Plane, identity where the table has no entry:
# str.translate looks a dict up with an exception for every character it lacks (most of a text), a list
# without one (characters past the list are an IndexError, which translate also reads as "unchanged").
_FOLD_LIST = [_FOLD.get(code, code) for code in range(0x10000)]
# FTS5's unicode61 tokens: runs of letters and digits (underscore is a separator there too).
TOKEN = re.compile(r"[^\W_]+")


def fold_for_search(value: str) -> str:
    """NFC, then Latin diacritics removed (đ → d), lower case; ``len`` is unchanged for NFC input."""
    # str.translate on the whole text: ~0.2 ms for a 5 KB article, per-character NFD in Python is 15x that.
    return unicodedata.normalize("NFC", value).translate(_FOLD_LIST).lower()


# Characters the tokenizer (``unicode61 remove_diacritics 2``, SQLite 3.40) folds differently from
# ``fold_for_search``: Unicode case pairs newer than its tables (Cherokee, Georgian Mtavruli, …) and a
# few Latin letters with two marks or none to strip. tests/storage/test_search.py derives the set afresh
# from the linked SQLite over every code point the fold changes, and checks it is covered here.
_INDEX_REPLACED = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"}
# Only the part in the Basic Multilingual Plane: a class with astral ranges makes ``re`` test ranges one
# by one (15x slower over a 5 KB text); the few astral ones are caught by ``_has_astral`` instead.
_INDEX_UNSAFE = re.compile(
    "[\u01e0-\u01e3\u01ee\u01ef\u01fc-\u01ff\u037f\u0528\u052a\u052c\u052e\u13a0-\u13f5"
    "\u1c90-\u1cba\u1cbd-\u1cbf\u2c2f\ua698\ua69a\ua796\ua798\ua79a\ua79c\ua79e\ua7ab-\ua7ae"
    "\ua7b0-\ua7b4\ua7b6\ua7b8\ua7ba\ua7bc\ua7be\ua7c0\ua7c2\ua7c4-\ua7c7\ua7c9\ua7d0\ua7d6"
    "\ua7d8\ua7f5]"
)


def _has_astral(value: str) -> bool:
    # A character past U+FFFF takes two UTF-16 units: a C-speed test, where a regex or max() take 5x longer.
    return len(value.encode("utf-16-le", "surrogatepass")) != 2 * len(value)


def _ascii_fold_tables() -> tuple[Any, bytes]:
    """The two tables of ``fold_for_index``'s fast path: a codec table (``codecs.charmap_build``) giving
    each accepted character one byte, and a ``bytes.translate`` table from those bytes to ASCII.

    A byte holds 256 characters: printable ASCII, tab, newlines and NUL stay themselves (the codec's
    table is a fast one only with NUL at 0, else a dict); the other ASCII control characters' bytes are
    reused (text holding one takes the general path), for the Vietnamese letters in both cases (each to
    its bare letter) and the punctuation common in Vietnamese news (each to a space: a separator for the
    tokenizer either way, and FTS5 records token positions, not offsets). Upper case is lowered too, so
    the text is ``fold_for_search``'s with that punctuation made spaces."""
    vowels = "aăâeêioôơuưy"
    marks = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")  # none, grave, acute, tilde, hook, dot
    lower = [unicodedata.normalize("NFC", vowel + mark) for vowel in vowels for mark in marks]
    letters = [letter for letter in lower + [v.upper() for v in lower] if not letter.isascii()] + ["đ", "Đ"]
    punctuation = "“”‘’–—…«»‹›•·°×′″€£©®™"
    kept = [code for code in range(128) if 0x20 <= code < 0x7F or chr(code) in "\0\t\n\r"]
    free = [code for code in range(256) if code not in kept]
    extra = letters + list(punctuation)
    if len(extra) > len(free):
        raise AssertionError("more characters than free bytes")  # cannot happen: 136 + 21 <= 157
    decoding = ["\ufffe"] * 256  # a noncharacter for the bytes left free: never in news text
    ascii_of = [0x20] * 256
    for code in kept:
        decoding[code], ascii_of[code] = chr(code), ord(chr(code).lower())
    for code, char in zip(free, extra, strict=False):
        decoding[code] = char
        ascii_of[code] = ord(fold_for_search(char)) if char in letters else 0x20
    to_byte = codecs.charmap_build("".join(decoding))
    if isinstance(to_byte, dict):  # cannot happen with NUL at 0: a dict would be ten times slower
        raise AssertionError("the codec table is a dict")
    return to_byte, bytes(ascii_of)


_TO_BYTE, _BYTE_TO_ASCII = _ascii_fold_tables()


def fold_for_index(value: str) -> str:
    """Text for the index: the same FTS5 tokens as ``fold_for_search`` gives, at a fraction of the cost.

    Vietnamese text (only the letters and punctuation of ``_ascii_fold_tables``) is made ASCII: two
    lookups per character in C (~4 ns) where the tokenizer spends ~70 ns on each non-ASCII one; the FTS5
    insert of bench/ingest.py's articles took half the time (~170 -> ~85 µs an article), for ~25 µs of
    folding. Other text keeps its case and tone marks, which the tokenizer folds itself, with đ/ð mapped
    (the tokenizer keeps them); a character the tokenizer folds otherwise takes the full fold."""
    try:
        encoded = codecs.charmap_encode(value, "strict", _TO_BYTE)[0]
    except UnicodeEncodeError:  # a character outside the table
        pass
    else:
        return encoded.translate(_BYTE_TO_ASCII).decode("ascii")
    value = unicodedata.normalize("NFC", value)
    if _INDEX_UNSAFE.search(value) or _has_astral(value):
        return fold_for_search(value)
    for letter, bare in _INDEX_REPLACED.items():
        value = value.replace(letter, bare)
    return value


def is_index_table(name: str | None) -> bool:
    """``articles_fts`` and its shadow tables: schema the models do not describe (Alembic skips them)."""
    return name is not None and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_"))


def include_name(name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames) -> bool:
    """Alembic ``include_name`` hook: autogenerate must not drop the FTS tables it cannot see."""
    return not (type_ == "table" and is_index_table(name))


def _supported(connection: Connection) -> bool:
    # FTS5 is SQLite's; on another database the archive has no index (yet) and search says so.
    return connection.dialect.name == "sqlite"


def index_rows(connection: Connection, rows: Iterable[tuple[int, str, str | None, str]]) -> int:
    """Add (article id, title, sapo, body) rows to the index; the number added."""
    return _write_index(connection, f"INSERT INTO {FTS_TABLE} (rowid, title, sapo, body)", rows)


def unindex_rows(connection: Connection, rows: Iterable[tuple[int, str, str | None, str]]) -> int:
    """Remove (article id, title, sapo, body) rows from the index, given the text they were indexed with
    (a contentless table forgets a row's words only when told them again: FTS5's 'delete' command)."""
    return _write_index(
        connection, f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, title, sapo, body)", rows, command="delete"
    )


def _write_index(
    connection: Connection, insert: str, rows: Iterable[tuple[int, str, str | None, str]], command: str = ""
) -> int:
    if not _supported(connection):
        return 0
    folded = [
        (id_, fold_for_index(title), fold_for_index(sapo or ""), fold_for_index(body))
        for id_, title, sapo, body in rows
    ]
    values = "(?, ?, ?, ?)" if not command else f"('{command}', ?, ?, ?, ?)"
    if folded:
        # Driver SQL (SQLite's qmark style): a text() statement has SQLAlchemy build every row's parameters
        # in Python, ~4 µs a row more (measured on a bare table: 5.4 µs a row against 1.2).
        connection.exec_driver_sql(f"{insert} VALUES {values}", folded)
    return len(folded)


def rebuild_index(connection: Connection, batch: int = 500) -> int:
    """Empty the index and fill it again from every article row; the number indexed."""
    if not _supported(connection):
        return 0
    # 'delete-all' is the contentless table's way to empty itself.
    connection.execute(text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')"))
    total, last = 0, 0
    while True:  # keyset pages: constant memory on a large archive
        rows = connection.execute(
            text("SELECT id, title, sapo, body FROM articles WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": batch},
        ).all()
        if not rows:
            return total
        total += index_rows(connection, [(r[0], r[1], r[2], r[3]) for r in rows])
        last = rows[-1][0]


@dataclass(frozen=True)
class Term:
    """A word or phrase to highlight: its folded tokens; with ``prefix`` the last one is a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """A user query as an FTS5 expression over folded terms, and the terms that are not excluded.

    ``positive`` is the expression without its exclusions: what must be found in the title (or sapo) for
    a match to rank in that field's tier.
    """

    expression: str
    terms: tuple[Term, ...]
    positive: str


_LEXEME = re.compile(
    r'(?P<neg>-)?(?:(?P<col>title|sapo|body):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))', re.IGNORECASE
)


def parse_query(query: str) -> ParsedQuery:
    """Words (all must match), "a phrase", a OR b, -word / NOT word, title:word, prefix*; any diacritics.

    Every term is folded and quoted, so punctuation ("COVID-19", "5,2%") is never FTS5 syntax.
    """
    groups: list[list[str]] = []
    excluded: list[str] = []
    terms: list[Term] = []
    join_or = negate_next = False
    for match in _LEXEME.finditer(query):
        word = match["word"]
        if (
            word is not None
            and match["neg"] is None
            and match["col"] is None
            and word in {"OR", "AND", "NOT"}
        ):
            join_or, negate_next = word == "OR", word == "NOT"
            continue
        tokens = TOKEN.findall(fold_for_search(match["phrase"] if word is None else word))
        if not tokens:
            continue
        prefix = word is not None and word.endswith("*")
        term = '"' + " ".join(tokens) + '"' + (" *" if prefix else "")
        if match["col"]:
            term = f"{match['col'].lower()} : {term}"
        if match["neg"] or negate_next:
            excluded.append(term)
        else:
            terms.append(Term(tuple(tokens), prefix))
            if join_or and groups:
                groups[-1].append(term)
            else:
                groups.append([term])
        join_or = negate_next = False
    if not groups:
        raise QueryError(f"nothing to search for in {query!r}: give at least one word that is not excluded")
    positive = expression = " AND ".join("(" + " OR ".join(group) + ")" for group in groups)
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(excluded)})"
    return ParsedQuery(expression, tuple(terms), positive)


@dataclass(frozen=True)
class Match:
    """One search result: the article row's text as stored, and its rank tier (lower is better): 1 the
    query is found in the title, 2 in the sapo, 3 only in the body; 0 with ``sort="newest"``."""

    article_id: int
    outlet: str
    url: str
    title: str
    sapo: str | None
    body: str
    published_at: datetime | None
    score: float


_FTS = table(FTS_TABLE, column("rowid", Integer))
# The rank tiers, best first: where all of the query's (not excluded) terms are found.
TIERS: tuple[tuple[int, str | None], ...] = ((1, "title"), (2, "sapo"), (3, None))


def search(
    engine: Engine,
    query: ParsedQuery,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    sort: Sort = "rank",
    all_versions: bool = False,
    candidates: int = CANDIDATES,
) -> list[Match]:
    """The ``limit`` best matches among the newest ``candidates`` (title matches, then sapo matches, then
    the rest, newest first within each), or the newest matches (``sort="newest"``)."""
    filters = filters or Filters()
    conditions = article_conditions(filters)
    if not all_versions:  # the current text of each story, as in the latest_articles view
        conditions.append(is_current())
    with Session(engine) as session:
        if not _supported(session.connection()):
            raise QueryError(f"full-text search needs an SQLite archive ({engine.dialect.name} has no FTS5)")
        check_outlets(session.connection(), filters.outlets)
        try:
            if sort == "rank":
                ranked = _ranked(session, query, conditions, limit, candidates)
            else:
                ranked = [(rowid, 0) for rowid in _newest(session, query.expression, conditions, [], limit)]
            found = session.execute(
                select(ArticleRow, Outlet.key)
                .join(Outlet, Outlet.id == ArticleRow.outlet_id)
                .where(ArticleRow.id.in_([rowid for rowid, _ in ranked]))
            ).all()
        except OperationalError as exc:  # an FTS5 syntax error the parser let through
            raise QueryError(f"cannot search for {query.expression!r}: {exc.orig}") from None
    by_id = {article.id: (article, key) for article, key in found}
    return [
        Match(a.id, key, a.url, a.title, a.sapo, a.body, a.published_at, float(tier))
        for a, key, tier in ((*by_id[rowid], tier) for rowid, tier in ranked)
    ]


def _ranked(
    session: Session, query: ParsedQuery, conditions: list[ColumnElement[bool]], limit: int, candidates: int
) -> list[tuple[int, int]]:
    """(rowid, tier) of the best ``limit`` matches that pass ``conditions``.

    Among the newest ``candidates`` matches first (the window: recency matters in news), by tier, newest
    first within a tier; when filters leave fewer than ``limit`` there, the older matches the same way.
    Each step is an FTS5 walk newest first that stops after the rows it needs, so no step visits every
    match of a common word: bm25, which did, spent 30-60 ms per query at 1M articles just counting the
    articles holding each term (its IDF), whatever the window (README "vnnews search").
    """
    fts = _FTS
    # The common case first: the newest title matches. When ``limit`` of them lie among the newest
    # ``candidates`` matches, they are the answer, and counting the matches down to the oldest of them is
    # a much shorter walk than finding the window's far end (for a phrase, 5,000 position checks).
    title_first = _newest(session, _tier_expression(query, "title"), conditions, [], limit)
    if len(title_first) == limit:
        newer = (
            select(fts.c.rowid)
            .where(_match(query.expression), fts.c.rowid >= title_first[-1])
            .limit(candidates + 1)
            .subquery()
        )
        if (session.scalar(select(func.count()).select_from(newer)) or 0) <= candidates:
            return [(rowid, 1) for rowid in title_first]
    bound = session.scalar(
        select(fts.c.rowid)
        .where(_match(query.expression))
        .order_by(fts.c.rowid.desc())
        .offset(candidates - 1)
        .limit(1)
    )
    passes = [[fts.c.rowid >= bound], [fts.c.rowid < bound]] if bound is not None else [[]]
    ranked: list[tuple[int, int]] = []
    for window in passes:
        for tier, field in TIERS:
            if len(ranked) >= limit:
                return ranked
            if field == "title" and not window:  # no window (every match is in it): walked above already
                rowids = title_first
            else:
                taken = [fts.c.rowid.not_in([rowid for rowid, _ in ranked])] if ranked else []
                rowids = _newest(
                    session,
                    _tier_expression(query, field),
                    conditions,
                    [*window, *taken],
                    limit - len(ranked),
                )
            ranked += [(rowid, tier) for rowid in rowids]
    return ranked


def _tier_expression(query: ParsedQuery, field: str | None) -> str:
    """The matches of ``query`` whose ``field`` holds its positive terms (``None``: all its matches)."""
    if field is None:
        return query.expression
    in_field = f"{field} : ({query.positive})"
    # Without exclusions the field's match implies the whole query's: FTS5 need not evaluate it twice.
    return in_field if query.expression == query.positive else f"({query.expression}) AND {in_field}"


def _match(expression: str) -> ColumnElement[bool]:
    return literal_column(FTS_TABLE).op("MATCH")(expression)


def _newest(
    session: Session,
    expression: str,
    conditions: list[ColumnElement[bool]],
    bounds: list[ColumnElement[bool]],
    limit: int,
) -> list[int]:
    """Rowids of the newest ``limit`` matches of ``expression`` that pass ``conditions`` (on articles)."""
    fts = _FTS
    statement = (
        select(fts.c.rowid)
        .join(ArticleRow, ArticleRow.id == fts.c.rowid)
        .where(_match(expression), *conditions, *bounds)
        .order_by(fts.c.rowid.desc())
        .limit(limit)
    )
    return [int(rowid) for rowid in session.scalars(statement)]
