"""Archives of posts: importing them (twarc2, jsonl, csv) through ingestion, and exporting
stored posts as jsonl or csv in the records the importer reads (hashtags.archive.records).
"""

from .export import FORMATS_OUT, archive_write, post_record
from .importer import BATCH_SIZE, ImportResult, archive_import
from .reading import FORMATS_IN, archive_records

__all__ = [
    "BATCH_SIZE",
    "FORMATS_IN",
    "FORMATS_OUT",
    "ImportResult",
    "archive_import",
    "archive_records",
    "archive_write",
    "post_record",
]
