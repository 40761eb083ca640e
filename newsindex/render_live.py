"""Lines for ``watch`` batches and alert reports: text for people, JSONL for scripts.

Every JSONL record names its kind in ``event``: ``batch`` (an indexing run of
``watch`` or ``index``), ``alert`` (one new match of a saved search, with
its ``report`` number, the same if a report is ever delivered twice) and
``hook-failed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from .alerts import Alert, AlertReport
from .render import safe, to_json


def batch_record(report, seconds: float, catch_up: bool = False, changed: int = 0) -> dict:
    return {
        "event": "batch",
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "catch_up": catch_up,
        "changed_paths": changed,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "failed": len(report.failed),
        "documents": report.documents,
        "seconds": round(seconds, 3),
    }


def batch_line(record: dict) -> str:
    when = datetime.fromisoformat(record["time"]).astimezone().strftime("%H:%M:%S")
    label = "caught up" if record["catch_up"] else when
    failed = f", {record['failed']} failed" if record["failed"] else ""
    return (
        f"{label}: {record['added']} added, {record['updated']} updated, {record['removed']} removed{failed}; "
        f"{record['documents']} articles ({record['seconds']:.2f} s)"
    )


def alert_lines(report: AlertReport, fmt: str) -> Iterable[str]:
    """The report's new matches (in JSONL, its hook's failure too, as a record of its own)."""
    if fmt == "jsonl":
        for hit in report.hits:
            yield to_json({"event": "alert", "alert": report.alert, "report": report.report, **hit})
        if report.hook_error:
            yield to_json(
                {"event": "hook-failed", "alert": report.alert, "report": report.report, "error": report.hook_error}
            )
        return
    count = len(report.hits)
    yield f"alert {safe(report.alert)}: {count} new match{'es' if count != 1 else ''}"
    for hit in report.hits:
        facts = [fact for fact in (hit.get("published"), hit.get("source")) if fact]
        yield f"  {safe(hit.get('title')) or '(untitled)'}" + (f" · {safe(' · '.join(facts))}" if facts else "")
        yield f"    {safe(hit.get('short_id'))} {safe(hit.get('path'))}"


def alert_summary(alert: Alert) -> str:
    """One line per saved search for ``alert list``."""
    filters = []
    if alert.match != "all":
        filters.append(f"--match {alert.match}")
    for flag, value in (("--since", alert.since), ("--until", alert.until)):
        if value:
            filters.append(f"{flag} {value!r}")
    if alert.tz != "UTC":
        filters.append(f"--tz {alert.tz}")
    for flag, values in (("--author", alert.authors), ("--source", alert.sources), ("--section", alert.sections)):
        filters.extend(f"{flag} {value!r}" for value in values)
    if alert.hook:
        filters.append(f"--exec {alert.hook!r}")
    return safe(f"{alert.name}\t{alert.query!r} {' '.join(filters)}".rstrip())


def alert_record(alert: Alert) -> dict:
    return {"name": alert.name, "query": alert.query, **alert.filters(), "exec": alert.hook}
