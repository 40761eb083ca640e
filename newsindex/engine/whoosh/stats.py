"""What is in an index: counts by source and by month, date range, size."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ...index.folders import indexed_folders
from ...query.outlets import merged_counts
from .location import current_generation, index_disk_size, require_current_format
from .summary import by_count, read_summary


def index_stats(index_dir: Path) -> dict:
    """A JSON-ready summary of the index in ``index_dir``: the generation's ``summary.json``
    (written at commit, summary.py), or for an index written before it, counted from every
    stored article."""
    generation = current_generation(index_dir)
    if generation is not None:
        require_current_format(index_dir, generation)  # refused, as by every other command
    summary = read_summary(generation) if generation is not None else None
    if summary is None:
        from .store import open_index  # Whoosh, only for an index without a summary

        open_index(index_dir)  # the clear error of a missing or unreadable index
        summary = counted_summary(index_dir)
    summary.pop("version", None)
    summary["sources"] = merged_counts(summary["sources"])  # an outlet's host counts under its name
    return {
        "index": str(index_dir),
        "generation": generation.name,
        **summary,
        "size_bytes": index_disk_size(index_dir),
        "folders": indexed_folders(generation),
    }


def counted_summary(index_dir: Path) -> dict:
    """The summary counted from every stored article (what ``summary.json`` holds: outlets as
    the articles label them, before ``merged_counts``)."""
    from .store import open_index

    ix = open_index(index_dir)
    sources: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    months: Counter[str] = Counter()
    years: Counter[str] = Counter()
    first = last = None
    undated = 0
    with ix.searcher() as searcher:
        documents = searcher.doc_count()
        for stored in searcher.all_stored_fields():
            meta = stored.get("meta") or {}
            sources[meta.get("source") or "(unknown)"] += 1
            authors.update(list(dict.fromkeys(meta.get("authors") or ())))  # a name twice in a byline: once
            published = stored.get("published")
            if published is None:
                undated += 1
                continue
            months[published.strftime("%Y-%m")] += 1
            years[str(published.year)] += 1
            first = published if first is None or published < first else first
            last = published if last is None or published > last else last
    return {
        "documents": documents,
        "undated": undated,
        "first": first.date().isoformat() if first else None,
        "last": last.date().isoformat() if last else None,
        "sources": dict(sources.most_common()),  # as summary.json holds them; merged by index_stats
        "authors": by_count(authors),
        "years": dict(sorted(years.items())),
        "months": dict(sorted(months.items())),
    }
