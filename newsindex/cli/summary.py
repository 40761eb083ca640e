"""What `newsindex index` says when a run ends: counts in plain words, notes on what was passed over."""

from __future__ import annotations

from collections.abc import Iterator

from ..index.report import IndexReport
from ..render import counted, safe

#: A rate over less time than this, or fewer files, says nothing useful.
RATE_MIN_SECONDS = 1.0
RATE_MIN_FILES = 10

LINK_REASON = "symbolic link not followed"


def summary_line(report: IndexReport) -> str:
    """The run's one line on stdout."""
    line = (
        f"files: {report.added:,} added, {report.updated:,} updated, {report.removed:,} removed, "
        f"{report.unchanged:,} unchanged, {len(report.failed):,} failed; "
        f"{counted(report.documents, 'article')} in {safe(report.index_dir)}"
    )
    read = report.added + report.updated
    if report.duplicates:
        line += f"; {counted(report.duplicates, 'identical copy', 'identical copies')} stored once"
    if report.seconds >= RATE_MIN_SECONDS and read >= RATE_MIN_FILES:
        return f"{line} ({report.seconds:.1f} s, {report.rate:,.0f} files/s)"
    return f"{line} ({report.seconds:.1f} s)"


def notes(report: IndexReport) -> Iterator[str]:
    """Lines for stderr: what the walk passed over, and why, with what to do about it."""
    links = sum(1 for item in report.ignored if item.reason.startswith(LINK_REASON))
    others = len(report.ignored) - links
    if links:
        were = "was" if links == 1 else "were"
        yield (f"{counted(links, 'symbolic link')} {were} not followed; add --follow-links to index what they point to")
    if others:
        were = "was" if others == 1 else "were"
        what = "an article file" if others == 1 else "article files"
        yield f"{counted(others, 'file')} {were} not {what} and {were} ignored"
    if report.reread:
        yield "--dayfirst, --rules, --source or [sources] differ from the last run: every indexed file was read again"
