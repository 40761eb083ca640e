"""``newsindex watch`` and ``newsindex alert``: keeping an index current, saved searches."""

from __future__ import annotations

import sys

import click

from .basics import EXIT_ERROR, Failure
from .common import CONTEXT, _add_options, _ingest_options, cli, ingest_options
from .params import INDEX_HELP


def _index_dir(value: str | None):
    """The Whoosh index directory ``--index`` names, else the default one."""
    from pathlib import Path

    from ..engine.whoosh.store import default_index_dir

    return Path(value).expanduser() if value else default_index_dir()


def _echo(line: str, err: bool = False) -> None:
    click.echo(line, err=err)
    if not err:
        sys.stdout.flush()  # a script reading the pipe sees each line as it happens


def deliver_alerts(fmt: str):
    """The ``deliver`` callback of ``check_alerts``: print each report as it is made
    (in text, a failing hook on stderr)."""
    from ..render import alert_lines, safe

    def deliver(report) -> None:
        for line in alert_lines(report, fmt):
            _echo(line)
        if report.hook_error and fmt == "text":
            click.echo(f"newsindex: alert {safe(report.alert)}: {safe(report.hook_error)}", err=True)

    return deliver


def _has_alerts(index_dir) -> bool:
    """Whether the index has saved searches (without importing the search machinery:
    most indexes have none, and a one-file run would spend 40 ms on the imports)."""
    from pathlib import Path

    from ..engine.whoosh.location import ALERTS_FILE

    return (Path(index_dir) / ALERTS_FILE).exists()


def report_alerts(index_dir, fmt: str) -> None:
    """After an ``index`` run: the new matches of every saved search."""
    if not _has_alerts(index_dir):
        return
    from ..engine.whoosh.alerts import AlertProblem, check_alerts
    from ..index.generations import _checkpoint

    try:
        check_alerts(index_dir, deliver_alerts(fmt), crash_hook=_checkpoint)
    except AlertProblem as exc:
        click.echo(f"newsindex: alert: {exc}", err=True)


def alerts_as_records(index_dir) -> list[dict]:
    """After an ``index --format json`` run: the new matches, for its JSON document."""
    if not _has_alerts(index_dir):
        return []
    from ..engine.whoosh.alerts import AlertProblem, check_alerts
    from ..index.generations import _checkpoint

    records: list[dict] = []

    def collect(report) -> None:
        records.append(
            {"alert": report.alert, "report": report.report, "hits": report.hits, "hook_error": report.hook_error}
        )

    try:
        check_alerts(index_dir, collect, crash_hook=_checkpoint)
    except AlertProblem as exc:
        click.echo(f"newsindex: alert: {exc}", err=True)
    return records


class _Stop(Exception):
    """SIGTERM, turned into an orderly stop like Ctrl-C."""


def _terminate(_signum, _frame) -> None:
    raise _Stop


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
@click.option(
    "--poll",
    type=click.FloatRange(min=0.05),
    metavar="SECONDS",
    help="Look for changes every SECONDS instead of through inotify (network disks; used by itself when "
    "inotify is unavailable or out of watches).",
)
@click.option(
    "--debounce",
    type=click.FloatRange(min=0),
    default=0.3,
    show_default=True,
    metavar="SECONDS",
    help="Index a burst of changes once it has been quiet this long...",
)
@click.option(
    "--max-delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="...or this long after its first change.",
)
@click.option("-q", "--quiet", is_flag=True, help="No line per batch (alert matches are still shown).")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), help="Extraction processes [default: number of cores].")
@_add_options(ingest_options)
def watch(
    paths,
    index_dir,
    poll,
    debounce,
    max_delay,
    quiet,
    fmt,
    workers,
    rules,
    fields,
    config,
    dayfirst,
    source,
    follow_links,
) -> None:
    """Keep the index current as files under PATHS are written, moved or deleted.

    Catches up first with an ordinary incremental run (so whatever changed
    while it was not running is indexed), then indexes each burst of changes
    as it settles, and reports the new matches of saved searches
    (`newsindex alert`).  Each batch is committed like `newsindex index`:
    stopping or killing it at any moment loses nothing; the next start
    catches up.  Ctrl-C stops it.

    \b
    Examples:
      newsindex watch ~/news                      # a line per batch
      newsindex watch ~/news --format jsonl -q    # alert matches as JSON lines
      newsindex watch /mnt/share/news --poll 5    # a network disk: poll every 5 s
    """
    from ..engine.whoosh.store import IndexProblem
    from ..index.generations import _checkpoint
    from ..index.watch import Watcher, WatchSettings
    from ..render import batch_line, batch_record, safe, to_json

    options = _ingest_options(dayfirst, rules, fields, follow_links, config, source)
    target = _index_dir(index_dir)
    settings = WatchSettings(debounce=debounce, max_delay=max_delay, poll=poll, workers=workers)
    deliver = deliver_alerts(fmt)

    def show(batch) -> None:
        for skipped in batch.report.failed:
            click.echo(f"skipped {safe(skipped.path)}: {safe(skipped.reason)}", err=True)
        report = batch.report
        if quiet or not (batch.catch_up or report.added or report.updated or report.removed or report.failed):
            return
        record = batch_record(report, batch.seconds, batch.catch_up, batch.changed)
        _echo(to_json(record) if fmt == "jsonl" else batch_line(record))

    def problem(message: str) -> None:
        click.echo(f"newsindex: {safe(message)}", err=True)

    import signal  # here: ``--help`` lists this command without it

    previous = signal.signal(signal.SIGTERM, _terminate)
    watcher = None
    try:
        watcher = Watcher(paths, target, options=options, settings=settings, crash_hook=_checkpoint)
        mode = watcher.start()
        if not quiet and fmt == "text":
            click.echo(f"watching {len(paths)} path(s) by {mode}; index {safe(str(target))}", err=True)
        show(watcher.catch_up(deliver))
        import threading

        watcher.run(show, deliver, threading.Event(), on_error=problem)
    except IndexProblem as exc:
        raise Failure(str(exc)) from None
    except (KeyboardInterrupt, _Stop):
        if not quiet and fmt == "text":
            click.echo("stopped; anything not yet indexed is caught up at the next start", err=True)
    finally:
        if watcher is not None:
            watcher.stop()
        signal.signal(signal.SIGTERM, previous)


# --- saved searches ---------------------------------------------------------------------


@cli.group(context_settings=CONTEXT)
def alert() -> None:
    """Saved searches: every `index` run and `watch` batch reports their new matches.

    \b
    Examples:
      newsindex alert add strikes 'strike port' --source Reuters
      newsindex alert add drought drought --since '30 days ago' --exec 'notify-send "$NEWSINDEX_ALERT"'
      newsindex alert list
      newsindex alert remove strikes
    """


@alert.command("add", context_settings=CONTEXT)
@click.argument("name")
@click.argument("query")
@click.option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
@click.option("--since", metavar="DATE", help="Only articles on or after DATE ('7 days ago' is read at each check).")
@click.option("--until", metavar="DATE", help="Only articles on or before DATE.")
@click.option("--tz", "tz_name", default="UTC", show_default=True, help="Time zone for --since/--until.")
@click.option("--match", type=click.Choice(["all", "any"]), default="all", show_default=True)
@click.option("--author", "authors", multiple=True, help="Only this author (repeatable).")
@click.option("--source", "sources", multiple=True, help="Only this outlet (repeatable).")
@click.option("--section", "sections", multiple=True, help="Only this section (repeatable).")
@click.option(
    "--exec",
    "hook",
    metavar="COMMAND",
    help="Run COMMAND (a shell command) on new matches, given as JSON lines on its stdin; "
    "$NEWSINDEX_ALERT names the alert.  A failing command is reported, never fatal.",
)
def alert_add(name, query, index_dir, since, until, tz_name, match, authors, sources, sections, hook) -> None:
    """Save QUERY as NAME, with the filters of `newsindex search`.

    Only articles indexed from now on are reported; the ones matching
    already are counted.
    """
    from ..engine.whoosh.alerts import Alert, AlertProblem, add_alert, validate
    from ..engine.whoosh.store import IndexProblem

    target = _index_dir(index_dir)
    saved = Alert(
        name=name,
        query=query,
        match=match,
        since=since,
        until=until,
        tz=tz_name,
        authors=list(authors),
        sources=list(sources),
        sections=list(sections),
        hook=hook,
    )
    try:
        validate(saved, target)
        existing = add_alert(target, saved)
    except (AlertProblem, IndexProblem) as exc:
        raise Failure(str(exc)) from None
    click.echo(f"alert {name} saved; {existing} articles match already (not reported)")


@alert.command("list", context_settings=CONTEXT)
@click.option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
def alert_list(index_dir, fmt) -> None:
    """List the saved searches."""
    from ..engine.whoosh.alerts import list_alerts
    from ..render import alert_record, alert_summary, to_json

    alerts = list_alerts(_index_dir(index_dir))
    for saved in alerts:
        click.echo(to_json(alert_record(saved)) if fmt == "jsonl" else alert_summary(saved))
    if not alerts and fmt == "text":  # exit 1 as for no match; a person is told why the list is empty
        click.echo("no saved searches; add one with: newsindex alert add NAME QUERY", err=True)
    sys.exit(0 if alerts else 1)


@alert.command("remove", context_settings=CONTEXT)
@click.argument("name")
@click.option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
def alert_remove(name, index_dir) -> None:
    """Forget the saved search NAME."""
    from ..engine.whoosh.alerts import AlertProblem, remove_alert

    try:
        remove_alert(_index_dir(index_dir), name)
    except AlertProblem as exc:
        raise Failure(str(exc)) from None
    click.echo(f"alert {name} removed")


__all__ = ["EXIT_ERROR", "alert", "alerts_as_records", "report_alerts", "watch"]
