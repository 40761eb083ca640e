"""Saved searches: each index run reports the articles newly matching them.

Stored with the index in ``DIR/alerts.sqlite`` (one transaction per change,
so a kill never leaves half an alert):

- ``alerts``: name, query, filters, the hook command, and the segments and
  generation the alert was last checked against;
- ``seen``: per alert, the ids of the articles it has matched (when it was
  added, or reported since): a match is new when its id is not there;
- ``outbox``: the reports, each a batch of new matches, with whether it was
  delivered.

Checking (``check_alerts``) happens after a generation is published, under
``DIR/ALERTS.lock``: first any report a killed process recorded but did not
deliver is delivered; then, for each alert not yet checked against the
current generation, the articles of segments it has not seen (new, changed
or merged documents; merged ones are mostly ``seen`` already) are matched
against its query, and the new matches, their ids as ``seen`` and the
alert's new position are recorded in one transaction; then the report is
delivered and marked so.  A kill before that transaction loses nothing (the
next check finds the same matches: the index is already committed); a kill
after it repeats nothing (the report waits in the outbox and is delivered
by the next check).  The one window left is a kill after a report was
delivered and before it was marked: it is then delivered again, with the
same ``report`` number, by which a script can recognise it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ...query.options import QueryError, SearchOptions
from ...render import hit_as_dict, to_json
from .filters import allowed_documents
from .location import ALERTS_FILE
from .parsing import _date_clauses, _expand_labels, parse_query
from .results import _hit_from_stored
from .snippets import _query_words
from .store import current_generation, open_index

_LOCK_FILE = "ALERTS.lock"
#: A hook that runs longer than this is stopped and reported as failed.
HOOK_SECONDS = 60
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    name TEXT PRIMARY KEY, query TEXT NOT NULL, filters TEXT NOT NULL, hook TEXT,
    created REAL NOT NULL, generation TEXT, segments TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seen (alert TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (alert, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    report INTEGER PRIMARY KEY AUTOINCREMENT, alert TEXT NOT NULL, generation TEXT NOT NULL,
    hits TEXT NOT NULL, created REAL NOT NULL, delivered INTEGER NOT NULL DEFAULT 0
);
"""


class AlertProblem(Exception):
    """A saved search cannot be added, found or checked; the message says why."""


@dataclass
class Alert:
    """A saved search: the query and filters of ``newsindex search``, and an optional hook."""

    name: str
    query: str
    match: str = "all"
    since: str | None = None  # as typed ("2019", "7 days ago"): read again at every check
    until: str | None = None
    tz: str = "UTC"
    authors: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    hook: str | None = None  # a shell command; the new matches as JSONL on its stdin

    def filters(self) -> dict:
        return {
            "match": self.match,
            "since": self.since,
            "until": self.until,
            "tz": self.tz,
            "authors": self.authors,
            "sources": self.sources,
            "sections": self.sections,
        }


@dataclass
class AlertReport:
    """New matches of one alert, as recorded (``report`` numbers them, once each)."""

    report: int
    alert: str
    generation: str
    hits: list[dict]
    hook: str | None = None
    hook_error: str | None = None  # set when the hook failed


def _connect(index_dir: Path) -> sqlite3.Connection:
    db = sqlite3.connect(index_dir / ALERTS_FILE, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(_SCHEMA)
    return db


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextlib.contextmanager
def _checking(index_dir: Path) -> Iterator[sqlite3.Connection]:
    """The alerts database, with the lock that makes one process check at a time."""
    with open(index_dir / _LOCK_FILE, "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        db = _connect(index_dir)
        try:
            yield db
        finally:
            db.close()


def _alert_from_row(row: tuple) -> Alert:
    name, query_text, filters, hook = row
    return Alert(name=name, query=query_text, hook=hook, **json.loads(filters))


# --- the saved searches ----------------------------------------------------------------


def list_alerts(index_dir: str | os.PathLike[str]) -> list[Alert]:
    index_dir = Path(index_dir)
    if not (index_dir / ALERTS_FILE).exists():
        return []
    db = _connect(index_dir)
    try:
        rows = db.execute("SELECT name, query, filters, hook FROM alerts ORDER BY name").fetchall()
    finally:
        db.close()
    return [_alert_from_row(row) for row in rows]


def add_alert(index_dir: str | os.PathLike[str], alert: Alert) -> int:
    """Save ``alert``; returns how many articles match it already (never reported:
    an alert reports the articles that arrive after it)."""
    index_dir = Path(index_dir)
    if not _NAME_RE.match(alert.name):
        raise AlertProblem(f"alert name {alert.name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    generation = current_generation(index_dir)
    if generation is None:
        raise AlertProblem(f"no index at {index_dir}: run `newsindex index PATH` first")
    with _checking(index_dir) as db:
        if db.execute("SELECT 1 FROM alerts WHERE name = ?", (alert.name,)).fetchone():
            raise AlertProblem(f"an alert named {alert.name!r} exists; remove it first")
        with open_index(index_dir).searcher() as searcher:
            segments = _segment_ids(searcher.reader())
            matches = _matches(searcher, alert, None)
        with _transaction(db):
            db.execute(
                "INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    alert.name,
                    alert.query,
                    json.dumps(alert.filters()),
                    alert.hook,
                    time.time(),
                    generation.name,
                    json.dumps(sorted(segments)),
                ),
            )
            db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", ((alert.name, hit["id"]) for hit in matches))
    return len(matches)


def remove_alert(index_dir: str | os.PathLike[str], name: str) -> None:
    index_dir = Path(index_dir)
    if not (index_dir / ALERTS_FILE).exists():
        raise AlertProblem(f"no alert named {name!r}")
    with _checking(index_dir) as db, _transaction(db):
        if not db.execute("DELETE FROM alerts WHERE name = ?", (name,)).rowcount:
            raise AlertProblem(f"no alert named {name!r}")
        db.execute("DELETE FROM seen WHERE alert = ?", (name,))
        db.execute("DELETE FROM outbox WHERE alert = ?", (name,))


# --- matching ------------------------------------------------------------------------------


def _segment_ids(reader) -> set[str]:
    return {leaf.segment().segment_id() for leaf, _offset in reader.leaf_readers() if leaf.doc_count_all()}


def _unseen_docnums(reader, seen_segments: set[str]) -> set[int]:
    """Live documents of the segments an alert has not been checked against."""
    found: set[int] = set()
    for leaf, offset in reader.leaf_readers():
        if not leaf.doc_count_all() or leaf.segment().segment_id() in seen_segments:
            continue
        found.update(offset + docnum for docnum in leaf.all_doc_ids())
    return found


def _period(text: str | None, tz_name: str, end: bool) -> datetime | None:
    from zoneinfo import ZoneInfo

    from ...dates import period

    if not text:
        return None
    tz = timezone.utc if tz_name.upper() in ("UTC", "Z", "GMT") else ZoneInfo(tz_name)
    return period(text, tz=tz)[1 if end else 0]


def search_options(alert: Alert) -> SearchOptions:
    """The alert's filters as a search's options (relative dates read as of now)."""
    try:
        since, until = _period(alert.since, alert.tz, False), _period(alert.until, alert.tz, True)
    except (ValueError, KeyError) as exc:
        raise AlertProblem(f"alert {alert.name!r}: {exc}") from None
    return SearchOptions(
        match=alert.match,
        since=since,
        until=until,
        authors=alert.authors,
        sources=alert.sources,
        sections=alert.sections,
    )


def validate(alert: Alert, index_dir: str | os.PathLike[str]) -> None:
    """Raise ``AlertProblem`` unless the alert's query and filters can be run."""
    options = search_options(alert)
    with open_index(Path(index_dir)).searcher() as searcher:
        remaining, _ranges = _date_clauses(alert.query)
        try:
            parse_query(remaining, searcher.schema, options.match)
        except QueryError as exc:
            raise AlertProblem(str(exc)) from None


def _matches(searcher, alert: Alert, among: set[int] | None) -> list[dict]:
    """The articles (of ``among``, default all) matching the alert, newest first."""
    options = search_options(alert)
    remaining, ranges = _date_clauses(alert.query)
    try:
        parsed = _expand_labels(parse_query(remaining, searcher.schema, options.match), searcher.reader())
    except QueryError as exc:
        raise AlertProblem(f"alert {alert.name!r}: {exc}") from None
    allowed = allowed_documents(searcher, options, ranges)
    if among is not None and not among:
        return []
    words = _query_words(parsed)
    hits = []
    for docnum in searcher.docs_for_query(parsed):
        if (among is not None and docnum not in among) or (allowed is not None and docnum not in allowed):
            continue
        hit = _hit_from_stored(searcher.stored_fields(docnum), 0.0, words)
        hits.append(hit)
    hits.sort(key=lambda hit: (hit.published is None, -(hit.published.timestamp() if hit.published else 0)))
    return [{key: value for key, value in hit_as_dict(hit).items() if key not in ("score", "similar")} for hit in hits]


# --- checking and delivering ------------------------------------------------------------------

DeliverFn = Callable[[AlertReport], None]


def check_alerts(index_dir: str | os.PathLike[str], deliver: DeliverFn, *, crash_hook=None) -> list[AlertReport]:
    """Record and deliver the new matches of every alert (see the module's docstring).

    ``deliver(report)`` is called once per report with new matches, after the
    alert's hook (if any) has run; the report is marked delivered when it
    returns.  ``crash_hook(point)`` is the crash tests' hook.
    """
    index_dir = Path(index_dir)
    if not (index_dir / ALERTS_FILE).exists():
        return []
    point = crash_hook or (lambda _point: None)
    delivered: list[AlertReport] = []
    with _checking(index_dir) as db:
        for report in _undelivered(db):  # recorded by a process killed before delivering them
            delivered.append(_deliver(db, report, deliver))
        generation = current_generation(index_dir)
        if generation is None:
            return delivered
        rows = db.execute(
            "SELECT name, query, filters, hook, segments FROM alerts WHERE generation IS NOT ? ORDER BY name",
            (generation.name,),
        ).fetchall()
        if not rows:
            return delivered
        with open_index(index_dir).searcher() as searcher:
            segments = _segment_ids(searcher.reader())
            for *alert_row, seen_segments in rows:
                alert = _alert_from_row(tuple(alert_row))
                among = _unseen_docnums(searcher.reader(), set(json.loads(seen_segments)))
                hits = _matches(searcher, alert, among)
                point("alert-matched")
                report = _record(db, alert, generation.name, segments, hits)
                point("alert-recorded")
                if report is not None:
                    delivered.append(_deliver(db, report, deliver))
                    point("alert-delivered")
    return delivered


def _record(db, alert: Alert, generation: str, segments: set[str], hits: list[dict]) -> AlertReport | None:
    """In one transaction: the matches not seen before, as seen and as a report in
    the outbox, and the alert's new position."""
    with _transaction(db):
        fresh = [
            hit
            for hit in hits
            if not db.execute("SELECT 1 FROM seen WHERE alert = ? AND id = ?", (alert.name, hit["id"])).fetchone()
        ]
        db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", ((alert.name, hit["id"]) for hit in fresh))
        db.execute(
            "UPDATE alerts SET generation = ?, segments = ? WHERE name = ?",
            (generation, json.dumps(sorted(segments)), alert.name),
        )
        if not fresh:
            return None
        cursor = db.execute(
            "INSERT INTO outbox (alert, generation, hits, created) VALUES (?, ?, ?, ?)",
            (alert.name, generation, json.dumps(fresh, default=str), time.time()),
        )
    return AlertReport(cursor.lastrowid, alert.name, generation, fresh, alert.hook)


def _undelivered(db) -> list[AlertReport]:
    rows = db.execute(
        "SELECT o.report, o.alert, o.generation, o.hits, a.hook FROM outbox o LEFT JOIN alerts a ON a.name = o.alert "
        "WHERE o.delivered = 0 ORDER BY o.report"
    ).fetchall()
    return [AlertReport(report, alert, gen, json.loads(hits), hook) for report, alert, gen, hits, hook in rows]


def _deliver(db, report: AlertReport, deliver: DeliverFn) -> AlertReport:
    if report.hook:
        report.hook_error = run_hook(report.hook, report)
    deliver(report)
    db.execute("UPDATE outbox SET delivered = 1 WHERE report = ?", (report.report,))
    return report


def report_lines(report: AlertReport) -> list[str]:
    """The report's hits as JSONL records, each naming its alert and report."""
    return [to_json({"alert": report.alert, "report": report.report, **hit}) for hit in report.hits]


def run_hook(command: str, report: AlertReport) -> str | None:
    """Run ``command`` in a shell with the new matches as JSONL on its stdin; the
    reason it failed, or None.  A failing hook never stops indexing."""
    env = {**os.environ, "NEWSINDEX_ALERT": report.alert, "NEWSINDEX_ALERT_MATCHES": str(len(report.hits))}
    data = "".join(line + "\n" for line in report_lines(report)).encode("utf-8")
    try:
        done = subprocess.run(
            command, shell=True, input=data, env=env, timeout=HOOK_SECONDS, capture_output=True, check=False
        )
    except subprocess.TimeoutExpired:
        return f"hook did not finish within {HOOK_SECONDS} s"
    except OSError as exc:
        return f"hook could not run: {exc.strerror or exc}"
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"hook exited with status {done.returncode}" + (f": {detail[-1][:200]}" if detail else "")
    return None
