"""prefetched: iterate in a background thread, so that parsing and formatting the next archive
batch (pure Python) overlaps the database storing the current one."""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

_SWITCH_INTERVAL = 0.0005  # seconds; see below
T = TypeVar("T")


def prefetched(items: Iterable[T], *, ahead: int = 1) -> Iterator[T]:
    """Iterate `items` in a background thread, up to `ahead` items before the caller.

    For the archive path: parsing and formatting the next batch (pure Python) overlaps the
    database storing the current one. The producer must not touch the database.
    """
    box: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()
    done = object()

    def put(entry: tuple) -> bool:
        while not stop.is_set():  # the consumer may have left: never block for good
            try:
                box.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((done, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer to raise
            put((done, exc))

    thread = threading.Thread(target=produce, name="ingest-prefetch", daemon=True)
    # Each time the database answers, this thread needs the GIL back from the producer; by
    # default it would wait up to 5 ms for it, a dozen times a batch.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, _SWITCH_INTERVAL))
    thread.start()
    try:
        while True:
            item, error = box.get()
            if item is done:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
