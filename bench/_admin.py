"""A connection to the server's maintenance database, for creating and dropping bench databases."""

from __future__ import annotations

from typing import Any


def admin_connect(db: dict) -> Any:
    """An autocommit psycopg2 connection to the `postgres` database of the server of `db`."""
    import psycopg2

    conn = psycopg2.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    conn.autocommit = True
    return conn
