"""A connection to the server's maintenance database, and the scratch database a bench works in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


def admin_sql(db: dict, sql: str) -> None:
    """Run one statement (CREATE or DROP DATABASE) on the maintenance database."""
    conn = admin_connect(db)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@contextmanager
def scratch_database(db: dict, name: str) -> Iterator[None]:
    """Create the database `name` on the server of `db`, point `db` at it, set Django up and
    migrate; drop it afterwards, whatever happened."""
    admin_sql(db, f'CREATE DATABASE "{name}"')
    db["NAME"] = name
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        yield
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(db, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
