"""Imports archives, streaming their posts through the same storage service as polling.

Reading never aborts: a malformed line (see hashtags.archive.reading) is skipped and counted
with its line number. Posts are stored in archive-sized batches, one transaction each; a batch
the database refuses is halved until the refused post is found and skipped, so a post is either
stored whole or not at all. Reading and formatting run one batch ahead in a thread of their own.
Each batch also widens what the import covers (its first to its last post per platform and
hashtag, hashtags.ingest.imported) in the batch's own transaction: coverage counts an imported
stretch as collected, not as a gap in polling.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from django.db import DataError, IntegrityError, connection

from ..ingest import ArchiveRun, Prepared, UpsertResult, batch_prepare, posts_upsert, prefetched
from ..sources.base import PostData
from .reading import FORMATS_IN, archive_records

BATCH_SIZE = 5000  # posts per transaction on the archive path
SKIPPED_SHOWN = 10  # line numbers kept for the report; the count is always exact

Store = Callable[..., UpsertResult]


@dataclass
class ImportResult:
    read: int = 0  # well-formed posts read (repeats included): new + duplicates
    new: int = 0
    duplicates: int = 0  # already stored, or repeated within the archive
    skipped: int = 0  # malformed lines (for twarc2 a line is a whole response page)
    skipped_at: list[str] = field(default_factory=list)  # the first few, as "file:line"
    unlinked: int = 0  # posts carrying none of the tracked hashtags (stored, not linked)

    def skip(self, where: str) -> None:
        self.skipped += 1
        if len(self.skipped_at) < SKIPPED_SHOWN:
            self.skipped_at.append(where)


def archive_import(
    *,
    paths: Sequence[Path],
    fmt: str,
    tracked: set[str] | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], object] | None = None,
    store: Store = posts_upsert,
) -> ImportResult:
    """Stream the archives into the database through `store`, one transaction per batch.

    tracked: the hashtag names posts may be linked to (None: every Hashtag row, as polling).
    progress: called with the number of bytes read since its last call.
    The import is one ArchiveRun, named by its files.
    """
    if fmt not in FORMATS_IN:
        raise ValueError(f"Unknown archive format {fmt!r}; use one of {', '.join(FORMATS_IN)}.")
    result = ImportResult()
    archive = ArchiveRun(label=", ".join(path.name for path in paths))
    # Reading, parsing and formatting run one batch ahead in a thread of their own, while this
    # one waits for the database; results are applied here, in file order.
    chunks = _chunks(paths, fmt=fmt, tracked=tracked, size=batch_size, vendor=connection.vendor)
    for chunk in prefetched(chunks):
        for where in chunk.skipped:
            result.skip(where)
        _flush(
            chunk.batch,
            chunk.origins,
            store=store,
            result=result,
            archive=archive,
            prepared=chunk.prepared,
        )
        if progress is not None and chunk.read_bytes:
            progress(chunk.read_bytes)
    return result


@dataclass
class _Chunk:
    skipped: list[str] = field(default_factory=list)  # malformed lines before this batch
    batch: list[PostData] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    prepared: Prepared | None = None
    read_bytes: int = 0


def _chunks(
    paths: Sequence[Path], *, fmt: str, tracked: set[str] | None, size: int, vendor: str
) -> Iterator[_Chunk]:
    """The archives as batches ready to store; never touches the database (see prefetched)."""
    chunk = _Chunk()
    sent: dict[Any, int] = {}  # authors formatted for earlier batches: see stage_prepare
    for path in paths:
        with open(path, "rb") as raw:
            counted = _CountingReader(raw)
            stream = io.BufferedReader(counted, buffer_size=1 << 20)
            for number, posts in archive_records(stream=stream, fmt=fmt):
                if posts is None:
                    chunk.skipped.append(f"{path.name}:{number}")
                    continue
                for post in posts:
                    chunk.batch.append(_tracked_only(post, tracked))
                    chunk.origins.append(f"{path.name}:{number}")
                if len(chunk.batch) >= size:
                    chunk.prepared = batch_prepare(
                        posts=chunk.batch, vendor=vendor, authors_sent=sent
                    )
                    chunk.read_bytes = counted.take()
                    yield chunk
                    chunk = _Chunk()
            chunk.read_bytes += counted.take()
    if chunk.batch:
        chunk.prepared = batch_prepare(posts=chunk.batch, vendor=vendor, authors_sent=sent)
    yield chunk


def _tracked_only(post: PostData, tracked: set[str] | None) -> PostData:
    if tracked is None or all(tag in tracked for tag in post.hashtags):
        return post
    return replace(post, hashtags=tuple(tag for tag in post.hashtags if tag in tracked))


def _flush(
    batch: list[PostData],
    origins: list[str],
    *,
    store: Store,
    result: ImportResult,
    archive: ArchiveRun,
    prepared: Prepared | None = None,
) -> None:
    if not batch:
        return
    try:
        stored = store(posts=batch if prepared is None else prepared, archive=archive)
    except (DataError, IntegrityError):
        if len(batch) == 1:  # the database refused this one post: skip it, keep going
            if origins[0] not in result.skipped_at:
                result.skip(origins[0])
            return
        half = len(batch) // 2  # find the refused post(s) by halving; the rest is stored
        _flush(batch[:half], origins[:half], store=store, result=result, archive=archive)
        _flush(batch[half:], origins[half:], store=store, result=result, archive=archive)
        return
    result.read += len(batch)
    result.new += stored.new
    result.duplicates += len(batch) - stored.new
    result.unlinked += sum(1 for post in batch if not post.hashtags)


class _CountingReader(io.RawIOBase):
    """A binary file that remembers how many bytes were read, for the progress bar."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self._count += len(data)
        return len(data)

    def take(self) -> int:
        count, self._count = self._count, 0
        return count
