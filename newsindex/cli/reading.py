"""The commands that read an index (search, similar, show, stats), without click.

Their options are declared in ``params``; click runs them as commands (``searching``), and
``quick`` calls them straight from an ordinary command line.  Each function's docstring is its
command's help.
"""

from __future__ import annotations

import sys

from .basics import EXIT_FOUND, EXIT_NOTHING, Failure, _echo_lines, _engine, _terminal_width, _use_color, echo

#: Formats with one row per hit, where --group-by's counts have no place.
ONE_ROW_PER_HIT = ("jsonl", "csv", "paths")


def _bounds(since: str | None, until: str | None, tz_name: str):
    from ..dates import period

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


def search(
    words,
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
    count_only,
    color,
    engine_name,
    solr_url,
    config,
) -> None:
    """Search the index for QUERY, best matches first.

    QUERY takes words (all must match), "exact phrases", -excluded words,
    OR, NOT, parentheses, wildcards (strik*), fuzzy terms (strike~) and
    fields: title:, author:, source:, section:, date:2019-03.  Several
    arguments are one query ("search oil prices" = "search 'oil prices'");
    a query starting with "-" goes after "--": search -- -football strike.

    \b
    Examples:
      newsindex search "liaison office"
      newsindex search 'strike port -football' --since 2021-01 --until 2021-06
      newsindex search 'title:drought OR "water rationing"' --sort newest
      newsindex search breach --source "Harbour Ledger" --format jsonl
      newsindex search 'date:[2019-03-01 TO 2019-03-31] korea' -n 20
      newsindex search drought --group-by source --group-by year
      newsindex search "liaison office" --solr http://localhost:8983/solr
      newsindex search '*' --since 2021-03 --until 2021-03 --count
    """
    from ..engine import IndexProblem
    from ..query.options import QueryError, SearchOptions
    from ..render import Style, header_line, past_the_end, render_facets, render_hits

    if group_by and count_only:
        raise Failure("--count prints one number; for counts per group use --group-by without --count")
    if group_by and fmt in ONE_ROW_PER_HIT:
        raise Failure(f"--group-by needs --format text or --format json (--format {fmt} holds one row per hit)")
    start, end = _bounds(since, until, tz_name)
    filters = []
    if since:
        filters.append(f"since {since}")
    if until:
        filters.append(f"until {until}")
    filters += [f"author {a}" for a in authors] + [f"source {s}" for s in sources] + [f"section {s}" for s in sections]
    options = SearchOptions(
        limit=1 if count_only else limit,
        page=1 if count_only else page,
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
        suggest=not count_only,
        filters_text=filters,
    )
    try:
        result = _engine(engine_name, index_dir, solr_url, config).search(" ".join(words), options)
    except (IndexProblem, QueryError) as exc:
        raise Failure(str(exc)) from None
    if count_only:
        echo(str(result.total))
        sys.exit(EXIT_FOUND if result.total else EXIT_NOTHING)
    style = Style(_use_color(color))
    if fmt == "text":
        echo(style.dim(header_line(result)), err=not sys.stdout.isatty() and color != "always", color=style.color)
        if sys.stdout.isatty():
            echo("")
    tz = _timezone(tz_name)
    lines = render_hits(result, fmt, style, first_rank=(page - 1) * limit + 1, tz=tz, width=_terminal_width())
    _echo_lines(lines, style.color)
    if result.facets and fmt == "text":
        _echo_lines(render_facets(result.facets, style), style.color)
    if result.total and not result.hits and page > 1:
        echo(f"newsindex: {past_the_end(page, limit, result.total)}", err=True)
    sys.exit(EXIT_FOUND if result.hits else EXIT_NOTHING)


def similar(article_id, index_dir, limit, fmt, color, engine_name, solr_url, config) -> None:
    """List articles most like ARTICLE_ID (the short id that search shows).

    \b
    Examples:
      newsindex similar 5e5f24bf3c
      newsindex similar 5e5f24bf3c -n 20 --format jsonl
    """
    from ..engine import IndexProblem
    from ..render import Style, render_hits, safe

    try:
        result = _engine(engine_name, index_dir, solr_url, config).similar(article_id, limit)
    except IndexProblem as exc:
        raise Failure(str(exc)) from None
    if result is None:
        echo(f"newsindex: no article with id {safe(article_id)}", err=True)
        sys.exit(EXIT_NOTHING)
    style = Style(_use_color(color))
    _echo_lines(render_hits(result, fmt, style), style.color)
    sys.exit(EXIT_FOUND if result.hits else EXIT_NOTHING)


def show(article_id, index_dir, fmt, pager, tz_name, color, engine_name, solr_url, config) -> None:
    """Print one indexed article in full, by the short id search shows.

    \b
    Examples:
      newsindex show 3f2a9c01de
      newsindex show seeds/000_eb7c0f23e2b03f76.txt --format json
    """
    from ..engine import IndexProblem
    from ..render import Style, safe

    tz = _timezone(tz_name)
    try:
        article = _engine(engine_name, index_dir, solr_url, config).article(article_id)
    except IndexProblem as exc:
        raise Failure(str(exc)) from None
    if article is None:
        echo(f"newsindex: no article with id {safe(article_id)}", err=True)
        sys.exit(EXIT_NOTHING)
    if fmt == "json":
        from ..render import article_as_dict, to_json

        echo(to_json(article_as_dict(article, tz=tz), indent=2))
        return
    from ..render import render_article_text
    from .pager import find_pager, page

    paging = find_pager() if (sys.stdout.isatty() if pager is None else pager) else None
    style = Style(_use_color(color) and (paging is None or paging.shows_colour))
    text = "\n".join(render_article_text(article, style, tz=tz, width=_terminal_width()))
    if paging is not None:
        page(text + "\n", paging)
    else:
        echo(text, color=style.color)


def stats(index_dir, fmt, show_all, color, engine_name, solr_url, config) -> None:
    """Summarise the index: articles, dates, undated articles, sources, authors, years, size on disk.

    \b
    Examples:
      newsindex stats
      newsindex stats --all
      newsindex stats --index ./demo-index --format json
    """
    from ..engine import IndexProblem
    from ..render import Style, render_stats

    try:
        summary = _engine(engine_name, index_dir, solr_url, config).stats()
    except IndexProblem as exc:
        raise Failure(str(exc)) from None
    if fmt == "json":
        from ..render import to_json

        echo(to_json(summary, indent=2))
    else:
        style = Style(_use_color(color))
        _echo_lines(render_stats(summary, style, show_all), style.color)
    sys.exit(EXIT_FOUND if summary["documents"] else EXIT_NOTHING)


#: The commands by name (``params.READING`` declares their parameters).
COMMANDS = {"search": search, "similar": similar, "show": show, "stats": stats}
