"""How big a run's pieces are: batches, segments, worker shares, record-file pieces.

In one module so a test (or a benchmark) can set them in one place; the code
reads them as ``limits.NAME`` at run time.
"""

from __future__ import annotations

#: Files read, then learned from, then cleaned together: bounds memory, and lets
#: a new source's template lines be learned from its first articles before they
#: are cleaned.
BATCH_SIZE = 2000
#: A worker writes its segment when the postings it holds grow past this (bytes,
#: estimated): bounds each process's memory whatever the corpus size.
SEGMENT_MEMORY = 192 * 1024 * 1024
#: Files to read per worker process at least (fewer files, fewer processes).
PARALLEL_MIN_FILES = 64
#: A record file this large on disk (a compressed one an eighth of it) is read by
#: the main process and handed out as pieces of ``PIECE_RECORDS`` records, which
#: any worker can extract and index: memory stays flat however large the file,
#: and one huge file still keeps every core busy.  Smaller files go whole to a worker.
SPLIT_RECORD_BYTES = 4 * 1024 * 1024
PIECE_RECORDS = 250
#: Merge the smallest segments when there are more than this many.
MAX_SEGMENTS = 12
