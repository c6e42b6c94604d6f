"""Stop `make test` at once, with a way out, when PostgreSQL or Redis cannot be reached."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

HOW = (
    "Start them with `docker compose up -d db redis`, or your machine's own services, e.g.\n"
    "  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
    "  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no\n"
    "or point TEST_DATABASE_URL / REDIS_URL at running servers."
)


def main() -> int:
    import psycopg2
    import redis

    problems = []
    db_url = os.environ.get("TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(db_url)
    try:
        psycopg2.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        problems.append(
            f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432}: {first}"
        )
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis is not reachable at {urlsplit(redis_url).netloc}: {exc}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(HOW, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
