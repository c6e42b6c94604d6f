"""Ingestion: the one way posts reach the database (polling, streams, refreshes, archives).

Callers use only what is named here. posts_upsert (hashtags.ingest.upsert) stores a batch in
one transaction; batch_prepare does its pure-Python half ahead of time, and prefetched runs
that in a thread of its own. The rest of the package: rows (the one row spec of authors and
posts), paged and staged (the two write paths), stored (posts seen before), rollups (the
tag-set rollups' write side), bulk (set-based INSERTs), imported (what an archive import
covers: ArchiveRun, passed to posts_upsert).
"""

from .imported import ArchiveRun
from .prefetch import prefetched
from .results import Prepared, UpsertResult
from .rollups import rollups_rebuild
from .upsert import batch_prepare, posts_upsert

__all__ = [
    "ArchiveRun",
    "Prepared",
    "UpsertResult",
    "batch_prepare",
    "posts_upsert",
    "prefetched",
    "rollups_rebuild",
]
