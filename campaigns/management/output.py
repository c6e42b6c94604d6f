"""What the export commands share: an --output file that appears only once it is complete.

Design: the text goes to a temporary file beside the target (same folder, so same file
system), synced, then renamed over the target (os.replace, atomic); an error or an interrupt
removes the temporary file, and the target, if there was one, stays as it was. A folder that
does not exist or cannot be written is a CommandError before anything is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from django.core.management.base import CommandError


@contextmanager
def output_replaced(path: str | Path) -> Iterator[TextIO]:
    """A UTF-8 text file that holds exactly what is written to it (no newline translation); it
    replaces `path` when the block ends without an error."""
    target = Path(path)
    if not target.parent.is_dir():
        raise CommandError(f"--output {target}: no such folder: {target.parent}")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise CommandError(f"--output {target}: cannot write in {target.parent}: {exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # mkstemp makes it private; give it a normal file's mode
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise CommandError(f"--output {target}: {exc}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
