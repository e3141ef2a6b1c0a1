"""Core statements compiled once and run on the driver's cursor: the archive's per-page write path.

``Connection.execute`` costs about 80 µs per statement in SQLAlchemy's own Python before SQLite's 3–15 µs
of work (measured here), and storing one fetched page runs about ten statements: most of the cost of
archiving an article (bench/ingest.py). ``Prepared`` keeps what SQLAlchemy gives on this path, a Core
statement compiled for the engine's dialect (its SQL text and paramstyle) and the column types' own value
conversions (UTC datetimes, JSON), and drops the per-call work: the statement is compiled once, its
converters looked up once, and each call goes straight to a DBAPI cursor of the connection's current
transaction (``driver_cursor``: one for all the statements of a write).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Dialect
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeEngine

from storage.types import UTCDateTime, sqlite_utc_text

Converter = Callable[[Any], Any]


class Prepared:
    """One statement for one dialect. Parameters are passed by name, as to ``Connection.execute``."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = compiled.string
        self._names: tuple[str, ...] = tuple(compiled.binds)
        self._positional = dialect.positional
        if self._positional:
            self._names = tuple(compiled.positiontup or ())
        self._values_of = _values_getter(self._names)
        # The positions whose values are converted (None stays None, as SQLAlchemy passes it).
        self._converted = [
            (position, convert)
            for position, name in enumerate(self._names)
            if (convert := _bind_converter(compiled.binds[name].type, dialect)) is not None
        ]
        selected = getattr(statement, "exported_columns", ())  # a SELECT's columns, or RETURNING's
        self._result_converters = [_result_converter(column.type, dialect) for column in selected]
        self._dialect = dialect
        self._driver_error: type[Exception] = dialect.loaded_dbapi.Error

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The DBAPI parameters of one execution with ``values``."""
        ordered = self._values_of(values)
        if not self._converted:
            return ordered if self._positional else dict(zip(self._names, ordered, strict=True))
        converted = list(ordered)
        for position, convert in self._converted:
            value = converted[position]
            if value is not None:
                converted[position] = convert(value)
        return converted if self._positional else dict(zip(self._names, converted, strict=True))

    def execute(self, cursor: DBAPICursor, values: Mapping[str, Any]) -> DBAPICursor:
        """Run the statement on ``cursor`` (``driver_cursor``, in the transaction); the cursor, for fetches."""
        parameters = self.parameters(values)
        try:
            cursor.execute(self.sql, parameters)
        except self._driver_error as error:
            raise self._wrapped(error, parameters) from error
        return cursor

    def _wrapped(self, error: Exception, parameters: Any) -> BaseException:
        # The driver's own exception, wrapped as Connection.execute would (IntegrityError, OperationalError
        # ...): callers handle SQLAlchemy's errors, and the archive turns those into a StorageError.
        return DBAPIError.instance(self.sql, parameters, error, self._driver_error, dialect=self._dialect)

    def first(self, cursor: DBAPICursor, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of a SELECT (or INSERT … RETURNING), its values converted as SQLAlchemy would."""
        row = self.execute(cursor, values).fetchone()
        if row is None:
            return None
        return tuple(
            value if convert is None or value is None else convert(value)
            for value, convert in zip(row, self._result_converters, strict=False)
        )

    def scalar(self, cursor: DBAPICursor, values: Mapping[str, Any]) -> Any:
        row = self.first(cursor, values)
        return None if row is None else row[0]


def _values_getter(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """The values of ``names``, in order, from a mapping: one C call (``itemgetter``) for two names or
    more, which is what the write path's statements have."""
    if len(names) > 1:
        return itemgetter(*names)
    return lambda values: tuple(values[name] for name in names)  # itemgetter of one name gives no tuple


def driver_cursor(connection: Connection) -> DBAPICursor:
    """A DBAPI cursor in ``connection``'s current transaction, for ``Prepared`` statements (close it after:
    a cursor left open keeps its last statement's read open on SQLite)."""
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None:
        raise RuntimeError("the connection is closed")
    return dbapi_connection.cursor()


def _bind_converter(type_: TypeEngine[Any], dialect: Dialect) -> Converter | None:
    if isinstance(type_, UTCDateTime) and dialect.name == "sqlite":
        # The same text as the type's processors give, in one call instead of a chain of three.
        return sqlite_utc_text
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _result_converter(type_: TypeEngine[Any], dialect: Dialect) -> Converter | None:
    return type_.dialect_impl(dialect).result_processor(dialect, None)


__all__: Sequence[str] = ("DBAPICursor", "Prepared", "driver_cursor")
