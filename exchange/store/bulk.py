"""Many rows into one table, in the caller's transaction, at the driver's speed.

SQLAlchemy's Core executemany spends about as much Python per row as the rest of the receive
path's write step (compiling parameters and calling each column's bind processor, row by row).
Here the statement is built once per table and set of columns, each column's bind processor
is looked up once, and the rows go to the driver as tuples: on PostgreSQL as one `COPY ...
FROM STDIN` (one round trip for the whole batch, no per-row statement), on SQLite through the
driver's own executemany. Columns a row leaves out get the column's scalar default, as
SQLAlchemy would give them; a table or row this cannot write as SQLAlchemy would goes through
SQLAlchemy instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import LargeBinary, Table
from sqlalchemy.engine import Connection, Dialect

Processor = Callable[[Any], Any] | None


@functools.lru_cache(maxsize=128)
def _plan(
    dialect: Dialect, table: Table, names: tuple[str, ...]
) -> tuple[str, tuple[str, ...], tuple[Processor, ...], tuple[Any, ...]] | None:
    """(statement, columns, bind processors, defaults of the columns rows leave out), or None
    when a column is unknown or a left-out column's default is not a plain value."""
    if any(n not in table.c for n in names):
        return None
    missing = []
    for col in table.c:
        if col.name in names or col.autoincrement is True:
            continue
        if col.primary_key and col.autoincrement == "auto" and _is_int(col):
            continue  # an integer key the database numbers
        default = col.default
        if default is None:
            if col.server_default is not None or col.nullable:
                continue  # the database fills it, as without this module
            return None
        if not getattr(default, "is_scalar", False):
            return None
        missing.append((col.name, default.arg))  # type: ignore[attr-defined]
    cols = (*names, *(n for n, _ in missing))
    procs = tuple(_processor(table.c[n].type, dialect) for n in cols)
    q = dialect.identifier_preparer
    listed = ", ".join(q.quote(n) for n in cols)
    name = q.format_table(table)
    if dialect.name == "postgresql":
        sql = f"COPY {name} ({listed}) FROM STDIN"
    else:
        sql = f"INSERT INTO {name} ({listed}) VALUES ({', '.join('?' for _ in cols)})"
    return sql, cols, procs, tuple(v for _, v in missing)


def _processor(type_: Any, dialect: Dialect) -> Processor:
    """The column's bind processor, remembering its last value: a batch's rows share one
    time (stored_at); bytes go to both drivers as they are."""
    if isinstance(type_, LargeBinary):
        return None
    proc = type_.dialect_impl(dialect).bind_processor(dialect)
    if proc is None:
        return None
    last: list[Any] = [object(), None]

    def memo(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, proc(value)
        return last[1]

    return memo


def _is_int(col: Any) -> bool:
    try:
        return col.type.python_type is int
    except NotImplementedError:
        return False


def insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts of column name -> value) into `table` on `conn`."""
    if not rows:
        return
    names = tuple(rows[0])
    if any(tuple(r) != names for r in rows):
        # Core's executemany would take the first row's keys for all: write each run of rows
        # with the same keys on its own instead.
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or tuple(rows[i]) != tuple(rows[start]):
                insert(conn, table, rows[start:i])
                start = i
        return
    dialect = conn.dialect
    plan = _plan(dialect, table, names) if dialect.name in ("postgresql", "sqlite") else None
    if plan is None:
        conn.execute(table.insert(), list(rows))
        return
    sql, _, procs, defaults = plan
    values = [tuple(r[n] for n in names) + defaults for r in rows]
    if any(procs):
        values = [
            tuple(v if p is None else p(v) for v, p in zip(row, procs, strict=True))
            for row in values
        ]
    raw = conn.connection.driver_connection
    assert raw is not None
    if dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(sql) as copy:
            for row in values:
                copy.write_row(row)
    else:
        cur = raw.cursor()
        try:
            cur.executemany(sql, values)
        finally:
            cur.close()
