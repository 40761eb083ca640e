"""How big a run's pieces are: batches, segments, worker shares, record-file pieces.

In one module so a test (or a benchmark) can set them in one place; the code
reads them as ``limits.NAME`` at run time.
"""

from __future__ import annotations

#: Files read, then learned from, then cleaned together: bounds memory, and lets
#: a new source's template lines be learned from its first articles before they
#: are cleaned.
BATCH_SIZE = 2000
#: Characters of cleaned text a worker sketches together (index/sketches.py): bounds the
#: cleaned articles it holds before adding them.
SKETCHED_TOGETHER = 4 * 1024 * 1024
#: A worker writes its segment when the postings it holds grow past this (bytes,
#: estimated): bounds each process's memory whatever the corpus size.
SEGMENT_MEMORY = 192 * 1024 * 1024
#: Files to read per worker process at least (fewer files, fewer processes).
PARALLEL_MIN_FILES = 64
#: Indexed files from which a whole walk (listing, stat calls, comparisons) is shared with a
#: forked process (index/compare.py): the fork costs ~10 ms, the walk of 200,000 files most
#: of a second.
SHARED_WALK_FILES = 50_000
#: Articles in an index from which a run's word list and file stamps are written by a fork
#: while the run builds the near-duplicate graph and the summary (engine/whoosh/commit.py):
#: all are rewritten whole, ~150 ms at 200,000 articles; below, they take less time than a
#: fork of a large process to start.
SHARED_FINISH_DOCUMENTS = 5_000
#: A record file this large once read (on disk, or a compressed one's size times
#: ``COMPRESSED_EXPANSION``) is read by the main process and handed out as pieces of
#: ``PIECE_RECORDS`` records, which any worker can extract and index: memory stays flat
#: however large the file, and one huge file still keeps every core busy.  Smaller files go
#: whole to a worker.
SPLIT_RECORD_BYTES = 4 * 1024 * 1024
PIECE_RECORDS = 250
#: How much larger a compressed file is once read, roughly (news text compresses ~4-8x): for
#: what is too big to go whole, and for what a file costs a worker (``batching``).
COMPRESSED_EXPANSION = 6
#: Tiered merging (engine/whoosh/merging.py): segments of about the same size
#: share a tier, each tier ``MERGE_FACTOR`` times the size of the one below;
#: a tier holding ``MERGE_FACTOR`` segments is merged into one segment of the
#: next.  So an archive of N articles keeps at most (MERGE_FACTOR - 1) segments
#: per tier, about 3 * log4(N / MERGE_TIER_BASE) in all, and each article is
#: rewritten about once per tier it climbs.
MERGE_FACTOR = 4
#: Segments of at most this many articles all share the lowest tier.
MERGE_TIER_BASE = 2000
#: Articles a run may always merge: merging copies ~9,600 articles per CPU-second
#: (200,000 in 20.8 s CPU, bench/README), so 20,000 is ~2 s, under 0.5% of a
#: 200,000-article build; larger merges wait for a run that indexes at least
#: 1 / MERGE_BUDGET_RATIO of their size, so a small run never pays for a big
#: merge, and a big run's merges cost a share of its own work.
MERGE_BUDGET_MIN = 20_000
MERGE_BUDGET_RATIO = 4
