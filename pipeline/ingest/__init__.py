"""Open untrusted workbooks safely -> raw rows (located by header label) + file findings."""

from pipeline.ingest.limits import Limits
from pipeline.ingest.pool import read_all
from pipeline.ingest.reader import read_submission, scan_folder

__all__ = ["Limits", "read_all", "read_submission", "scan_folder"]
