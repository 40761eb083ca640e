"""The ``newsindex`` command: parses options, calls the library, prints.

Exit codes follow ripgrep: 0 something found, 1 nothing found, 2 error.
Library modules are imported inside each command so that a search does not
pay for the indexer's imports, and the reverse.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable

import click

EXIT_FOUND, EXIT_NOTHING, EXIT_ERROR = 0, 1, 2
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
INDEX_HELP = "Index directory [default: $NEWSINDEX_INDEX, else ~/.local/share/newsindex/index]."


class Failure(click.ClickException):
    """A one-line error for the user, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file=None) -> None:
        from .render import safe

        click.echo(f"newsindex: error: {safe(self.format_message())}", err=True)


def _index_dir(value: str | None):
    from pathlib import Path

    from .store import default_index_dir

    return Path(value).expanduser() if value else default_index_dir()


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _echo_lines(lines: Iterable[str], color: bool = False) -> None:
    # click strips ANSI codes off a non-terminal unless told the colour is wanted.
    for line in lines:
        click.echo(line, color=color)


def _parse_fields(values: Iterable[str]) -> dict[str, str]:
    overrides = {}
    for value in values:
        name, sep, key = value.partition("=")
        if not sep or not name.strip() or not key.strip():
            raise Failure(f"--field wants NAME=KEY (e.g. body=fields.bodyText), got {value!r}")
        overrides[name.strip()] = key.strip()
    return overrides


def _ingest_options(
    dayfirst: bool, rules: tuple[str, ...], fields: tuple[str, ...], follow_links: bool, config: str | None
):
    from .config import ConfigError, load_config
    from .ingest import IngestOptions

    for rules_file in rules:
        if not os.path.isfile(rules_file):
            raise Failure(f"rules file not found: {rules_file}")
    overrides = _parse_fields(fields)
    try:
        settings = load_config(config)  # without --config, the per-user file if there is one
    except ConfigError as exc:
        raise Failure(str(exc)) from None
    options = IngestOptions(
        dayfirst=dayfirst,
        rules_files=rules,
        field_overrides=overrides,
        field_config=settings.fields,
        follow_links=follow_links,
    )
    try:
        options.field_map()
        options.rules()
    except ValueError as exc:
        raise Failure(str(exc)) from None
    return options


color_option = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the output; 'auto' colours only on a terminal.",
)
ingest_options = [
    click.option("--rules", multiple=True, metavar="FILE", help="Extra boilerplate rules file (repeatable)."),
    click.option(
        "--field",
        "fields",
        multiple=True,
        metavar="NAME=KEY",
        help="Map a record key to a field, e.g. body=fields.bodyText (before --config's keys).",
    ),
    click.option(
        "--config",
        metavar="FILE",
        help="Config file (TOML) [default: ~/.config/newsindex/config.toml if present].",
    ),
    click.option("--dayfirst", is_flag=True, help="Read ambiguous dates like 03/04/2020 as day/month."),
    click.option("--follow-links", is_flag=True, help="Follow symbolic links inside directories."),
]


def _add_options(options):
    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="newsindex")
def cli() -> None:
    """Search your archive of scraped news from the terminal.

    newsindex cleans scraped articles (text dumps, HTML pages, JSON/JSONL/CSV
    exports), indexes them, and answers ranked keyword and date searches.

    \b
    Examples:
      newsindex index ~/news                 # build or update the index
      newsindex search "port strike" --since 2021
      newsindex show 3f2a9c01de              # read one result in full
      newsindex extract page.html --explain  # see what cleaning removes
    """


# --- index ------------------------------------------------------------------------


class _Progress:
    """A one-line progress bar with rate and ETA on stderr."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        eta = (total - done) / rate if rate > 0 else 0
        width = 30
        filled = int(width * done / total) if total else width
        bar = "█" * filled + "░" * (width - filled)
        # A big record file counts once per piece of records, so its progress shows.
        line = f"\r{bar} {done}/{total} files+pieces  {rate:,.0f}/s  ETA {eta:,.0f}s "
        click.echo(line, err=True, nl=False)
        if done >= total:
            click.echo("", err=True)


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
@click.option("--rebuild", is_flag=True, help="Start over instead of updating incrementally.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True)
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False, writable=True), help="Write failures to FILE.")
@click.option("--workers", type=click.IntRange(1, 64), help="Extraction processes [default: number of cores].")
@_add_options(ingest_options)
def index(
    paths, index_dir, rebuild, quiet, fmt, errors_file, workers, rules, fields, config, dayfirst, follow_links
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

    \b
    Examples:
      newsindex index ~/news
      newsindex index corpus/ seeds/ --index ./demo-index
      newsindex index exports/ --field body=fields.bodyText --format json
      newsindex index exports/ --config guardian.toml
    """
    from .index import IndexProblem, build_index

    options = _ingest_options(dayfirst, rules, fields, follow_links, config)
    target = _index_dir(index_dir)
    progress = _Progress(enabled=not quiet and fmt == "text" and sys.stderr.isatty())
    try:
        report = build_index(paths, target, options=options, rebuild=rebuild, workers=workers, progress=progress)
    except IndexProblem as exc:
        raise Failure(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("\nnewsindex: interrupted; the previous index is unchanged", err=True)
        sys.exit(130)
    except OSError as exc:
        raise Failure(f"cannot write the index: {exc.strerror or exc}") from None
    if errors_file:
        with open(errors_file, "w", encoding="utf-8") as handle:
            for skipped in report.failed:
                handle.write(f"{skipped.path}\t{skipped.reason}\n")
    if fmt == "json":
        click.echo(json.dumps({**report.as_dict(), "alerts": alerts_as_records(target)}))
    elif fmt == "jsonl":
        from .render_live import batch_record, to_json

        click.echo(to_json(batch_record(report, report.seconds)))
    elif not quiet:
        from .render import safe

        for skipped in report.failed:
            click.echo(f"skipped {safe(skipped.path)}: {safe(skipped.reason)}", err=True)
        click.echo(
            f"files: {report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {len(report.failed)} failed; "
            f"{report.documents} articles in {safe(str(target))} "
            f"({report.seconds:.1f}s, {report.rate:,.0f} files/s)"
        )
        if report.ignored:
            click.echo(f"{len(report.ignored)} files were not article files and were ignored", err=True)
        if report.reread:
            click.echo("--dayfirst or --rules differ from the last run: every indexed file was read again", err=True)
    if fmt != "json":
        report_alerts(target, fmt)
    sys.exit(EXIT_FOUND if report.documents else EXIT_NOTHING)


# --- search -----------------------------------------------------------------------


def _bounds(since: str | None, until: str | None, tz_name: str):
    from .dates import period

    tz = _timezone(tz_name)
    start = end = None
    try:
        if since:
            start = period(since, tz=tz)[0]
        if until:
            end = period(until, tz=tz)[1]
    except ValueError as exc:
        raise Failure(str(exc)) from None
    if start and end and start >= end:
        raise Failure(f"--since {since} is after --until {until}")
    return start, end


def _timezone(name: str):
    from datetime import timezone

    if name.upper() in ("UTC", "Z", "GMT"):
        return timezone.utc
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:
        raise Failure(f"unknown time zone {name!r} (use a name like Europe/London or UTC)") from None


@cli.command(context_settings=CONTEXT)
@click.argument("query")
@click.option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
@click.option(
    "--since", metavar="DATE", help="Only articles on or after DATE (2019, 2019-03, 'March 2019', '7 days ago')."
)
@click.option(
    "--until", metavar="DATE", help="Only articles on or before DATE (inclusive: --until 2019 keeps all of 2019)."
)
@click.option("--tz", "tz_name", default="UTC", show_default=True, help="Time zone for --since/--until.")
@click.option("-n", "--limit", type=click.IntRange(1, 10_000), default=10, show_default=True, help="Results per page.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option(
    "--match",
    type=click.Choice(["all", "any"]),
    default="all",
    show_default=True,
    help="Require every word, or rank by any.",
)
@click.option(
    "--feedback/--no-feedback",
    default=True,
    show_default=True,
    help="With --match any: re-rank using the words of the best articles found (RM3).",
)
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--author", "authors", multiple=True, help="Only this author (repeatable).")
@click.option(
    "--group-by",
    "group_by",
    multiple=True,
    type=click.Choice(["source", "author", "section", "year", "month"]),
    help="Count all matches per outlet, author, section, year or month (repeatable).",
)
@click.option("--duplicates", is_flag=True, help="List near-duplicate articles separately instead of folding them.")
@click.option(
    "--recency",
    "recency",
    type=click.FloatRange(min=0.1),
    metavar="DAYS",
    help="Favour newer articles (half-life in days).",
)
@click.option("--source", "sources", multiple=True, help="Only this outlet (repeatable).")
@click.option("--section", "sections", multiple=True, help="Only this section (repeatable).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "jsonl", "csv", "paths"]), default="text", show_default=True
)
@color_option
def search(
    query,
    index_dir,
    since,
    until,
    tz_name,
    limit,
    page,
    match,
    feedback,
    sort,
    authors,
    group_by,
    duplicates,
    recency,
    sources,
    sections,
    fmt,
    color,
) -> None:
    """Search the index for QUERY, best matches first.

    QUERY takes words (all must match), "exact phrases", -excluded words,
    OR, NOT, parentheses, wildcards (strik*), fuzzy terms (strike~) and
    fields: title:, author:, source:, section:, date:2019-03.

    \b
    Examples:
      newsindex search "liaison office"
      newsindex search 'strike port -football' --since 2021-01 --until 2021-06
      newsindex search 'title:drought OR "water rationing"' --sort newest
      newsindex search breach --source "Harbour Ledger" --format jsonl
      newsindex search 'date:[2019-03-01 TO 2019-03-31] korea' -n 20
      newsindex search drought --group-by source --group-by year
    """
    from .query import QueryError, SearchOptions
    from .query import search as run_search
    from .render import Style, header_line, render_facets, render_hits
    from .store import IndexProblem

    start, end = _bounds(since, until, tz_name)
    filters = []
    if since:
        filters.append(f"since {since}")
    if until:
        filters.append(f"until {until}")
    filters += [f"author {a}" for a in authors] + [f"source {s}" for s in sources] + [f"section {s}" for s in sections]
    options = SearchOptions(
        limit=limit,
        page=page,
        match=match,
        feedback=feedback,
        sort=sort,
        since=start,
        until=end,
        authors=authors,
        sources=sources,
        sections=sections,
        group_by=group_by,
        duplicates=duplicates,
        recency_half_life=recency,
        filters_text=filters,
    )
    try:
        result = run_search(query, _index_dir(index_dir), options)
    except (IndexProblem, QueryError) as exc:
        raise Failure(str(exc)) from None
    style = Style(_use_color(color))
    if fmt == "text":
        click.echo(style.dim(header_line(result)), err=not sys.stdout.isatty() and color != "always", color=style.color)
        if sys.stdout.isatty():
            click.echo("")
    _echo_lines(render_hits(result, fmt, style, first_rank=(page - 1) * limit + 1), style.color)
    if result.facets and fmt in ("text", "csv", "paths"):
        _echo_lines(render_facets(result.facets, style), style.color)
    sys.exit(EXIT_FOUND if result.hits else EXIT_NOTHING)


@cli.command(context_settings=CONTEXT)
@click.argument("article_id")
@click.option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
@click.option("-n", "--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "csv", "paths"]), default="text")
@color_option
def similar(article_id, index_dir, limit, fmt, color) -> None:
    """List articles most like ARTICLE_ID (the short id that search shows).

    \b
    Examples:
      newsindex similar 5e5f24bf3c
      newsindex similar 5e5f24bf3c -n 20 --format jsonl
    """
    from .query import similar as find_similar
    from .render import Style, render_hits, safe
    from .store import IndexProblem

    try:
        result = find_similar(article_id, _index_dir(index_dir), limit)
    except IndexProblem as exc:
        raise Failure(str(exc)) from None
    if result is None:
        click.echo(f"newsindex: no article with id {safe(article_id)}", err=True)
        sys.exit(EXIT_NOTHING)
    style = Style(_use_color(color))
    _echo_lines(render_hits(result, fmt, style), style.color)
    sys.exit(EXIT_FOUND if result.hits else EXIT_NOTHING)


# --- extract ----------------------------------------------------------------------


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--explain", is_flag=True, help="Also show each removed piece of text and the rule that removed it.")
@color_option
@_add_options(ingest_options)
def extract(paths, fmt, explain, color, rules, fields, config, dayfirst, follow_links) -> None:
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
    from .ingest import iter_articles
    from .models import Skipped
    from .read import ReadError
    from .render import Style, article_as_dict, render_article_text, safe, to_json

    options = _ingest_options(dayfirst, rules, fields, follow_links, config)
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


# --- show -------------------------------------------------------------------------


@cli.command(context_settings=CONTEXT)
@click.argument("article_id")
@click.option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--pager/--no-pager", default=None, help="Page long articles [default: on a terminal].")
@color_option
def show(article_id, index_dir, fmt, pager, color) -> None:
    """Print one indexed article in full, by the short id search shows.

    \b
    Examples:
      newsindex show 3f2a9c01de
      newsindex show seeds/000_eb7c0f23e2b03f76.txt --format json
    """
    from .query import find_by_short_id, stored_article
    from .render import Style, safe
    from .store import IndexProblem

    try:
        stored = find_by_short_id(_index_dir(index_dir), article_id)
    except IndexProblem as exc:
        raise Failure(str(exc)) from None
    if stored is None:
        click.echo(f"newsindex: no article with id {safe(article_id)}", err=True)
        sys.exit(EXIT_NOTHING)
    article = stored_article(stored)
    if fmt == "json":
        from .render import article_as_dict, to_json

        click.echo(to_json(article_as_dict(article), indent=2))
        return
    from .render import render_article_text

    style = Style(_use_color(color))
    text = "\n".join(render_article_text(article, style))
    use_pager = sys.stdout.isatty() if pager is None else pager
    if use_pager:
        click.echo_via_pager(text + "\n", color=style.color)
    else:
        click.echo(text, color=style.color)


# --- stats ------------------------------------------------------------------------


@cli.command(context_settings=CONTEXT)
@click.option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@color_option
def stats(index_dir, fmt, color) -> None:
    """Summarise the index: articles, dates, sources, years, size on disk.

    \b
    Examples:
      newsindex stats
      newsindex stats --index ./demo-index --format json
    """
    from .render import Style, render_stats
    from .stats import index_stats
    from .store import IndexProblem

    try:
        summary = index_stats(_index_dir(index_dir))
    except IndexProblem as exc:
        raise Failure(str(exc)) from None
    if fmt == "json":
        from .render import to_json

        click.echo(to_json(summary, indent=2))
    else:
        style = Style(_use_color(color))
        _echo_lines(render_stats(summary, style), style.color)
    sys.exit(EXIT_FOUND if summary["documents"] else EXIT_NOTHING)


from .cli_live import alert, alerts_as_records, report_alerts, watch  # noqa: E402 - they use the helpers above

cli.add_command(watch)
cli.add_command(alert)


def main() -> None:
    """Entry point: no traceback ever reaches the user."""
    try:
        cli.main(prog_name="newsindex", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("newsindex: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        click.echo("newsindex: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # `newsindex search ... | head`: the reader left; that is not an error.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        sys.exit(EXIT_FOUND)
    except Exception as exc:
        click.echo(f"newsindex: error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_ERROR)
