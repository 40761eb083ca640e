"""Commands that read articles: index (build or update an index) and extract (print cleaned
articles without indexing).
"""

from __future__ import annotations

import sys

import click

from .basics import EXIT_FOUND, EXIT_NOTHING, Failure, _echo_lines, _engine, _use_color
from .common import (
    CONTEXT,
    _add_options,
    _ingest_options,
    cli,
    cluster_options,
    color_option,
    config_option,
    engine_option,
    ingest_options,
)
from .params import INDEX_HELP


class _ProgressBar:
    """The progress line on a terminal's stderr, ended with a newline once the run is over."""

    def __init__(self) -> None:
        from .progress import ProgressLine

        self.line = ProgressLine(lambda text: click.echo(f"\r{text} ", err=True, nl=False))
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        self.shown = True
        self.line(done, total)

    def close(self) -> None:
        if self.shown:
            click.echo("", err=True)
            self.shown = False


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
@click.option("--rebuild", is_flag=True, help="Start over instead of updating incrementally.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True)
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False, writable=True), help="Write failures to FILE.")
@click.option("--workers", type=click.IntRange(1, 64), help="Extraction processes [default: number of cores].")
@_add_options(ingest_options)
@engine_option
@_add_options(cluster_options)
def index(
    paths,
    index_dir,
    rebuild,
    quiet,
    fmt,
    errors_file,
    workers,
    rules,
    fields,
    config,
    dayfirst,
    source,
    follow_links,
    engine_name,
    solr_url,
    shards,
    replicas,
) -> None:
    """Index the articles under PATHS (files or directories).

    Runs are incremental: unchanged files are skipped, changed ones re-read,
    files gone from PATHS removed.  Bad files are skipped and listed; they
    never stop the run.  An interrupted run leaves the last index searchable.

    Fields of JSON, JSONL and CSV records are found by their usual names
    (title, headline, body, content, date, author...).  To name yours, use
    --field or a config file ($XDG_CONFIG_HOME/newsindex/config.toml, else
    ~/.config/newsindex/config.toml, or --config FILE); the fields are title,
    body, published, authors, url, source, section and language, each mapped
    to a key (dotted for nested ones) or a list of keys tried in order:

    \b
      [fields]
      body = "fields.bodyText"
      title = ["headline.main", "headline"]

    Record files are re-read when the mapping changes.

    An article's outlet is the one it names (publisher, site name, a "By X,
    Reuters" credit, its URL's site); for those that name none, --source NAME,
    else a [sources] table mapping folder globs to outlets.  A folder's name
    is never taken for an outlet.  Every file is read again when these change.

    \b
      [sources]
      "reuters-txt" = "Reuters"
      "bbc/*" = "BBC News"

    \b
    Examples:
      newsindex index ~/news
      newsindex index reuters-txt/ --source Reuters
      newsindex index corpus/ seeds/ --index ./demo-index
      newsindex index exports/ --field body=fields.bodyText --format json
      newsindex index exports/ --config guardian.toml
      newsindex index ~/news --solr http://localhost:8983/solr --shards 4 --replicas 2
    """
    from ..engine import IndexProblem
    from .live import alerts_as_records, report_alerts

    options = _ingest_options(dayfirst, rules, fields, follow_links, config, source)
    engine = _engine(engine_name, index_dir, solr_url, config, workers=workers, shards=shards, replicas=replicas)
    progress = _ProgressBar() if not quiet and fmt == "text" and sys.stderr.isatty() else None
    try:
        report = engine.index(paths, options, rebuild=rebuild, progress=progress)
    except IndexProblem as exc:
        raise Failure(str(exc)) from None
    except KeyboardInterrupt as exc:  # the engine's IndexInterrupted says what the run left
        click.echo(f"\nnewsindex: {str(exc) or 'interrupted'}", err=True)
        sys.exit(130)
    except OSError as exc:
        raise Failure(f"cannot write the index: {exc.strerror or exc}") from None
    finally:
        if progress:
            progress.close()
    if errors_file:
        with open(errors_file, "w", encoding="utf-8") as handle:
            for skipped in report.failed:
                handle.write(f"{skipped.path}\t{skipped.reason}\n")
    # Saved searches (newsindex alert) live with a Whoosh index directory.
    alerts_here = engine.name == "whoosh"
    if fmt == "json":
        import json  # here: ``--help`` and the other formats never need it

        alerts = alerts_as_records(report.index_dir) if alerts_here else []
        click.echo(json.dumps({**report.as_dict(), "alerts": alerts}))
    elif fmt == "jsonl":
        from ..render import batch_record, to_json

        click.echo(to_json(batch_record(report, report.seconds)))
    elif not quiet:
        from ..render import safe
        from .summary import notes, summary_line

        for skipped in report.failed:
            click.echo(f"skipped {safe(skipped.path)}: {safe(skipped.reason)}", err=True)
        click.echo(summary_line(report))
        for note in notes(report):
            click.echo(note, err=True)
    if fmt != "json" and alerts_here:
        report_alerts(report.index_dir, fmt)
    sys.exit(EXIT_FOUND if report.documents else EXIT_NOTHING)


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@engine_option
@config_option
def remove(paths, index_dir, fmt, engine_name, solr_url, config) -> None:
    """Drop the files under PATHS (files or folders) from the index.

    The files themselves are not touched, and need not exist any more.  A
    folder given as it was indexed also leaves the list of folders indexed
    (`newsindex stats`).  Like a run, a removal is published whole or not at
    all.  Exit 1 when nothing was indexed under PATHS.

    \b
    Examples:
      newsindex remove ~/news/old-scrapes
      newsindex remove corpus/ --index ./demo-index
    """
    from ..engine import IndexProblem
    from ..render import counted, safe

    engine = _engine(engine_name, index_dir, solr_url, config)
    if not hasattr(engine, "remove"):
        raise Failure(f"the {engine.name} engine cannot remove files")
    try:
        report = engine.remove(paths)
    except IndexProblem as exc:
        raise Failure(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("\nnewsindex: interrupted; the index is unchanged", err=True)
        sys.exit(130)
    changed = report.removed or report.folders_dropped
    if fmt == "json":
        import json

        click.echo(json.dumps(report.as_dict()))
    elif changed:
        click.echo(
            f"{counted(report.removed, 'file')} removed; {counted(report.documents, 'article')} "
            f"in {safe(report.index_dir)}"
        )
        for folder in report.folders_dropped:
            click.echo(f"{safe(folder)} is no longer a folder indexed", err=True)
    else:
        names = ", ".join(safe(str(p)) for p in paths)
        click.echo(f"newsindex: nothing indexed under {names}", err=True)
    sys.exit(EXIT_FOUND if changed else EXIT_NOTHING)


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--explain", is_flag=True, help="Also show each removed piece of text and the rule that removed it.")
@color_option
@_add_options(ingest_options)
def extract(paths, fmt, explain, color, rules, fields, config, dayfirst, source, follow_links) -> None:
    """Print the cleaned articles in PATHS without indexing them.

    Directories are read recursively.  Use it to check what newsindex will
    index, and --explain to see what cleaning removed and why.

    \b
    Examples:
      newsindex extract seeds/
      newsindex extract page.html --explain
      newsindex extract corpus/ --format jsonl | jq .title
      newsindex extract export.jsonl --field body=fields.bodyText
      newsindex extract export.json --config guardian.toml --format jsonl
    """
    from dataclasses import replace

    from ..ingest import iter_articles
    from ..models import Skipped
    from ..read import ReadError
    from ..render import Style, article_as_dict, render_article_text, safe, to_json

    options = replace(_ingest_options(dayfirst, rules, fields, follow_links, config, source), explain=explain)
    style = Style(_use_color(color))
    found = skipped = 0
    try:
        for item in iter_articles(paths, options):
            if isinstance(item, Skipped):
                skipped += 1
                click.echo(f"skipped {safe(item.path)}: {safe(item.reason)}", err=True)
                continue
            found += 1
            if fmt == "jsonl":
                click.echo(to_json(article_as_dict(item, explain)))
            else:
                _echo_lines(render_article_text(item, style, explain), style.color)
    except ReadError as exc:
        raise Failure(str(exc)) from None
    if skipped:
        click.echo(f"{found} articles, {skipped} skipped", err=True)
    sys.exit(EXIT_FOUND if found else EXIT_NOTHING)
