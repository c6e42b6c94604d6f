"""Set-based writes for ingestion: INSERT ... ON CONFLICT of a whole batch in one statement.

On PostgreSQL a batch is one statement whatever its size: the columns travel as arrays and
`unnest` turns them back into rows (no 65,535-parameter limit, one round trip). SQLite gets
the same statement as chunked VALUES lists. Both return the rows it touched.
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
            cursor.execute(*insert_sql(table, columns, types, rows, conflict + ret))
            if returning:
                out.extend(cursor.fetchall())
        else:
            per_row = len(columns)
            chunk = max(1, _SQLITE_CHUNK_VARIABLES // per_row)
            one = "(" + ", ".join(["%s"] * per_row) + ")"
            # Times as the ORM writes them (UTC, no offset), which is what its lookups compare
            # with: sqlite3's own adapter would keep the offset ("...+00:00"), a text that no
            # ORM lookup finds equal to the same instant.
            adapt = connection.ops.adapt_datetimefield_value
            times = [i for i, kind in enumerate(types) if kind == "timestamptz"]
            for start in range(0, len(rows), chunk):
                part: list[Sequence[Any]] = list(rows[start : start + chunk])
                if times:
                    part = [
                        [adapt(v) if i in times else v for i, v in enumerate(row)] for row in part
                    ]
                values = ", ".join([one] * len(part))
                params = [value for row in part for value in row]
                cursor.execute(
                    f"INSERT INTO {table} ({cols}) VALUES {values} {conflict}{ret}",
                    params,
                )
                if returning:
                    out.extend(cursor.fetchall())
    return out


def insert_sql(
    table: str,
    columns: Sequence[str],
    types: Sequence[str],
    rows: Sequence[Sequence[Any]],
    tail: str,
) -> tuple[str, list]:
    """insert_rows' PostgreSQL statement and its parameters, for callers that send several
    statements in one round trip. tail: "ON CONFLICT ... [RETURNING ...]"."""
    arrays = [list(col) for col in zip(*rows, strict=True)]
    unnest = ", ".join(f"%s::{_PG_ARRAY[t]}" for t in types)
    names = ", ".join(f"u{i}" for i in range(len(columns)))
    select = ", ".join(f"u{i}::jsonb" if t == "jsonb" else f"u{i}" for i, t in enumerate(types))
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM unnest({unnest}) "
        f"AS u({names}) {tail}"
    )
    return sql, arrays
