"""What is in an index: counts by source and by month, date range, size."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ...index.folders import indexed_folders
from ...query.outlets import merged_counts
from .store import current_generation, index_disk_size, open_index


def index_stats(index_dir: Path) -> dict:
    """A JSON-ready summary of the index in ``index_dir``."""
    ix = open_index(index_dir)
    sources: Counter[str] = Counter()
    months: Counter[str] = Counter()
    years: Counter[str] = Counter()
    first = last = None
    undated = 0
    with ix.searcher() as searcher:
        documents = searcher.doc_count()
        for stored in searcher.all_stored_fields():
            meta = stored.get("meta") or {}
            sources[meta.get("source") or "(unknown)"] += 1
            published = stored.get("published")
            if published is None:
                undated += 1
                continue
            months[published.strftime("%Y-%m")] += 1
            years[str(published.year)] += 1
            first = published if first is None or published < first else first
            last = published if last is None or published > last else last
    return {
        "index": str(index_dir),
        "generation": current_generation(index_dir).name,
        "documents": documents,
        "undated": undated,
        "first": first.date().isoformat() if first else None,
        "last": last.date().isoformat() if last else None,
        "sources": merged_counts(sources),  # an outlet's host counts under its name
        "years": dict(sorted(years.items())),
        "months": dict(sorted(months.items())),
        "size_bytes": index_disk_size(index_dir),
        "folders": indexed_folders(current_generation(index_dir)),
    }
