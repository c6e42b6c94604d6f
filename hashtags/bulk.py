"""Set-based INSERT ... ON CONFLICT for ingestion, on PostgreSQL and on the embedded SQLite.

On PostgreSQL a whole batch is one statement whatever its size: the columns travel as arrays
and `unnest` turns them back into rows (no 65,535-parameter limit, one round trip). SQLite
gets the same statement as chunked VALUES lists. Both return the rows the statement touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

# PostgreSQL array types for the unnest form, by the short names callers use.
_PG_ARRAY = {
    "text": "text[]",
    "bigint": "bigint[]",
    "int": "integer[]",
    "bool": "boolean[]",
    "timestamptz": "timestamptz[]",
    "jsonb": "text[]",  # sent as text, cast per row below
}
_SQLITE_CHUNK_VARIABLES = 30000


def insert_rows(
    *,
    table: str,
    columns: Sequence[str],
    types: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict: str,
    returning: Sequence[str] = (),
) -> list[tuple]:
    """INSERT rows into table with `conflict` ("ON CONFLICT ..."); returns RETURNING rows."""
    if not rows:
        return []
    cols = ", ".join(columns)
    ret = f" RETURNING {', '.join(returning)}" if returning else ""
    out: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = [list(col) for col in zip(*rows, strict=True)]
            unnest = ", ".join(f"%s::{_PG_ARRAY[t]}" for t in types)
            names = ", ".join(f"u{i}" for i in range(len(columns)))
            select = ", ".join(
                f"u{i}::jsonb" if t == "jsonb" else f"u{i}" for i, t in enumerate(types)
            )
            sql = (
                f"INSERT INTO {table} ({cols}) SELECT {select} FROM unnest({unnest}) "
                f"AS u({names}) {conflict}{ret}"
            )
            cursor.execute(sql, arrays)
            if returning:
                out.extend(cursor.fetchall())
        else:
            per_row = len(columns)
            chunk = max(1, _SQLITE_CHUNK_VARIABLES // per_row)
            one = "(" + ", ".join(["%s"] * per_row) + ")"
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                values = ", ".join([one] * len(part))
                params = [value for row in part for value in row]
                cursor.execute(
                    f"INSERT INTO {table} ({cols}) VALUES {values} {conflict}{ret}",
                    params,
                )
                if returning:
                    out.extend(cursor.fetchall())
    return out
