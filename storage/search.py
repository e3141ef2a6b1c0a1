"""Full-text search with or without Vietnamese diacritics: an FTS5 index over a folded copy of the text.

How it is built, and why:

- ``fold_for_search`` maps every Latin letter to its bare lower-case form (đ → d, ộ → o, Ư → u) one
  character for one character. Both the indexed text and every query are folded, so "dam phan",
  "đàm phán" and "ĐÀM PHÁN" are the same terms. FTS5's own ``remove_diacritics 2`` cannot do this: it
  leaves đ/Đ alone (MEASURED.md), and the plain ``sqlite3`` shell cannot call Python from a trigger.
- So the index is written from Python, by ``Archive.save`` (the one write path) in the same transaction
  as the article row (``index_rows``), and rebuilt in bulk by ``rebuild_index`` (migration 0003).
  What is written there is ``fold_for_index``: only đ/ð mapped, since the tokenizer folds case and tone
  marks itself; the FTS5 tokens are the same as the full fold's (tests/storage/test_search_fold.py checks
  every character the fold changes), so archives indexed either way answer the same queries.
- ``articles_fts`` is *contentless* (``content=''``): the original text already lives in ``articles``
  and a second, folded copy of every body would double the archive for nothing; snippets are cut from
  the original text in Python (storage.highlight), which a folded copy could not give anyway. A
  contentless table cannot delete rows, which is fine: article rows are never updated or deleted
  (DESIGN rule 4), a changed text is a new row with a new rowid.
- Ranking: bm25 over the newest ``CANDIDATES`` matches only (recency matters in news). bm25 also
  counts, once per query, every article in the whole index that holds each term or phrase (its IDF):
  for common words and phrases ("Hà Nội", "hàng không") that pass alone is 30-60 ms at 1M articles,
  whatever the window, and is what keeps two-word and phrase searches above 50 ms there (README).
- The tokenizer still removes diacritics, so ``sqlite3`` users typing "Hàn Quốc" find "Han Quoc";
  only đ must be typed as d there (README "Searching from sqlite3 or Datasette").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Float,
    Integer,
    Select,
    TableClause,
    column,
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
# bm25 column weights (title, sapo, body): a term in the title outranks the same term in the body.
WEIGHTS = (10.0, 3.0, 1.0)
WEIGHTS_SQL = ", ".join(map(str, WEIGHTS))
RANK = f"bm25({FTS_TABLE}, {WEIGHTS_SQL})"
RANK_CONFIG = f"bm25({WEIGHTS_SQL})"  # the table's own `rank`, for ORDER BY rank in the sqlite3 shell
Sort = Literal["rank", "newest"]
# Matches ranked at most: past this many, the newest are ranked (README "vnnews search" has the figures).
# Each ranked match costs bm25 ~1.5 µs more; 20,000 made a one-word search at 1M articles 50 ms.
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


def fold_for_index(value: str) -> str:
    """Text for the index: the same FTS5 tokens as ``fold_for_search`` gives, at a tenth of the cost.

    The tokenizer already lowers case and strips tone marks; only đ/ð, which it keeps, are mapped here
    (four ``str.replace``). A text with a character it folds otherwise takes the full fold."""
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
    if not _supported(connection):
        return 0
    folded = [
        {
            "id": id_,
            "title": fold_for_index(title),
            "sapo": fold_for_index(sapo or ""),
            "body": fold_for_index(body),
        }
        for id_, title, sapo, body in rows
    ]
    if folded:
        connection.execute(
            text(f"INSERT INTO {FTS_TABLE} (rowid, title, sapo, body) VALUES (:id, :title, :sapo, :body)"),
            folded,
        )
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
    """A user query as an FTS5 expression over folded terms, and the terms that are not excluded."""

    expression: str
    terms: tuple[Term, ...]


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
    expression = " AND ".join("(" + " OR ".join(group) + ")" for group in groups)
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(excluded)})"
    return ParsedQuery(expression, tuple(terms))


@dataclass(frozen=True)
class Match:
    """One search result: the article row's text as stored, and its bm25 score (lower is better)."""

    article_id: int
    outlet: str
    url: str
    title: str
    sapo: str | None
    body: str
    published_at: datetime | None
    score: float


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
    """The best ``limit`` matches by bm25 (title weighted) among the newest ``candidates`` matches, or
    the newest matches (``sort="newest"``)."""
    filters = filters or Filters()
    fts = table(FTS_TABLE, column("rowid", Integer))
    match = literal_column(FTS_TABLE).op("MATCH")(query.expression)
    conditions = [match, *article_conditions(filters)]
    if not all_versions:  # the current text of each story, as in the latest_articles view
        conditions.append(is_current())
    with Session(engine) as session:
        if not _supported(session.connection()):
            raise QueryError(f"full-text search needs an SQLite archive ({engine.dialect.name} has no FTS5)")
        check_outlets(session.connection(), filters.outlets)
        try:
            rows: Sequence[Any] | None = None
            if sort == "rank":
                rows, oldest_kept = _best_then_filtered(
                    session, query.expression, conditions[1:], limit, candidates
                )
                if rows is None and oldest_kept is not None:
                    window = [fts.c.rowid >= oldest_kept]
                    bounded = [*conditions, *window]
                    windowed = session.execute(_statement(fts, bounded, limit, sort)).all()
                    # Filters may leave too few in that window: then rank every match after all.
                    rows = windowed if len(windowed) == limit else None
            if rows is None:
                rows = session.execute(_statement(fts, conditions, limit, sort)).all()
        except OperationalError as exc:  # an FTS5 syntax error the parser let through
            raise QueryError(f"cannot search for {query.expression!r}: {exc.orig}") from None
    return [
        Match(a.id, key, a.url, a.title, a.sapo, a.body, a.published_at, float(score))
        for a, key, score in rows
    ]


def _best_then_filtered(
    session: Session, expression: str, filters: list[ColumnElement[bool]], limit: int, candidates: int
) -> tuple[list[tuple[ArticleRow, str, float]] | None, int | None]:
    """The ``limit`` best matches by bm25 among the newest ``candidates``, scored on the index alone, then
    the filters (dates, outlets, latest version) checked on the few best; and the oldest rowid of that
    window (None when every match is in it).

    One statement finds the window and scores it: FTS5 walks its rowids newest first and stops after
    ``candidates``, so the MATCH is evaluated once (a separate OFFSET scan for the bound evaluated it
    twice). Scoring inside the join to ``articles`` cost as much again as the scoring itself
    (bench/search.py). The same answer as filtering first whenever ``limit`` of the best pass: nothing
    that fails a filter can push a passing row out of them. None when fewer pass: the caller then ranks
    with the filters in the query."""
    best = session.execute(
        text(
            f"SELECT rowid, score, min(rowid) OVER (), count(*) OVER () FROM ("
            f" SELECT rowid, {RANK} AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :expression"
            f" ORDER BY rowid DESC LIMIT :candidates"
            f") ORDER BY score LIMIT :best"
        ),
        {"expression": expression, "candidates": candidates, "best": 5 * limit},
    ).all()
    if not best:
        return [], None
    oldest_kept = int(best[0][2]) if best[0][3] >= candidates else None
    scores = {rowid: float(value) for rowid, value, _, _ in best}
    passing = set(session.scalars(select(ArticleRow.id).where(ArticleRow.id.in_(scores), *filters)))
    kept = [rowid for rowid, *_ in best if rowid in passing][:limit]
    if len(kept) < limit:
        return None, oldest_kept
    found = session.execute(
        select(ArticleRow, Outlet.key)
        .join(Outlet, Outlet.id == ArticleRow.outlet_id)
        .where(ArticleRow.id.in_(kept))
    ).all()
    by_id = {article.id: (article, key) for article, key in found}
    return [(*by_id[rowid], scores[rowid]) for rowid in kept], oldest_kept


def _statement(
    fts: TableClause, conditions: list[ColumnElement[bool]], limit: int, sort: Sort
) -> Select[Any]:
    score = literal_column(RANK, Float).label("score")
    # Rank (id, score) pairs first and fetch the text of the few kept: sorting whole bodies is what's slow.
    hits = (
        select(fts.c.rowid.label("id"), score)
        .join(ArticleRow, ArticleRow.id == fts.c.rowid)
        .where(*conditions)
        .order_by(score if sort == "rank" else fts.c.rowid.desc())
        .limit(limit)
        .cte("hits")
    )
    return (
        select(ArticleRow, Outlet.key, hits.c.score)
        .join(hits, hits.c.id == ArticleRow.id)
        .join(Outlet, Outlet.id == ArticleRow.outlet_id)
        .order_by(hits.c.score if sort == "rank" else hits.c.id.desc())
    )
