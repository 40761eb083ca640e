"""What every command shares: exit codes, the one-line error, colour, index location, ingest
options, and the click group.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from importlib import import_module

import click

EXIT_FOUND, EXIT_NOTHING, EXIT_ERROR = 0, 1, 2
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
INDEX_HELP = (
    "Index directory [default: $NEWSINDEX_INDEX, else the config file's [index] path, "
    "else ~/.local/share/newsindex/index]."
)


class Failure(click.ClickException):
    """A one-line error for the user, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file=None) -> None:
        from ..render import safe

        click.echo(f"newsindex: error: {safe(self.format_message())}", err=True)


def _engine(
    name: str | None, index_dir: str | None, solr_url: str | None = None, config: str | None = None, **settings
):
    """The engine the options (else the config file's ``[engine]`` table) choose, on the
    index they name: --index, else $NEWSINDEX_INDEX, else the config file's ``[index] path``,
    else the engine's default.  ``--solr URL`` alone means Solr."""
    from ..config import ConfigError, load_config
    from ..engine import IndexProblem, open_engine

    try:
        settings_file = load_config(config)  # without --config, the per-user file if there is one
    except ConfigError as exc:
        raise Failure(str(exc)) from None
    configured = settings_file.engine
    name = name or ("solr" if solr_url else configured.get("name"))
    location = index_dir
    if location is None and not os.environ.get("NEWSINDEX_INDEX"):
        location = settings_file.index_path  # --index, else $NEWSINDEX_INDEX, else [index] path
    if name == "solr":
        location = solr_url or configured.get("solr")
        if not location:
            raise Failure('--engine solr needs --solr URL (or solr = "URL" in the config file\'s [engine] table)')
        for key in ("shards", "replicas"):
            if settings.get(key) is None and key in configured:
                settings[key] = configured[key]
    else:
        settings.pop("shards", None), settings.pop("replicas", None)  # a cluster's settings
    settings = {key: value for key, value in settings.items() if value is not None}
    try:
        return open_engine(name, location, **settings)
    except IndexProblem as exc:
        raise Failure(str(exc)) from None


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _terminal_width() -> int | None:
    """Columns to wrap text to: the terminal's, or None when the output is a pipe or file."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return max(20, shutil.get_terminal_size().columns)


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
    dayfirst: bool,
    rules: tuple[str, ...],
    fields: tuple[str, ...],
    follow_links: bool,
    config: str | None,
    source: str | None = None,
):
    from ..config import ConfigError, load_config
    from ..ingest import IngestOptions

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
        source=(source or "").strip() or None,
        sources=settings.sources,
    )
    try:
        options.field_map()
        options.rules()
    except ValueError as exc:
        raise Failure(str(exc)) from None
    return options


def engine_option(command):
    """``--engine NAME`` and ``--solr URL`` (the Solr engine's cluster)."""
    command = click.option(
        "--solr",
        "solr_url",
        metavar="URL",
        help="A Solr node, http://HOST:PORT/solr[/COLLECTION] (implies --engine solr).",
    )(command)
    return click.option(
        "--engine",
        "engine_name",
        metavar="NAME",
        help="Index engine: whoosh (an index in a local directory) or solr [default: the config file's "
        "[engine] name, else whoosh].",
    )(command)


config_option = click.option("--config", metavar="FILE", help="Config file (TOML) with [engine] or [index] tables.")
cluster_options = [
    click.option("--shards", type=click.IntRange(1, 1024), help="Shards of a new Solr collection [default: 2]."),
    click.option("--replicas", type=click.IntRange(1, 16), help="Copies of each Solr shard [default: 1]."),
]
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
    click.option(
        "--source",
        metavar="NAME",
        help="Outlet of every article that names none (else [sources] in --config; a folder name never is one).",
    ),
    click.option("--follow-links", is_flag=True, help="Follow symbolic links inside directories."),
]


def _quiet_stdout() -> None:
    """Point stdout at /dev/null: the reader of our pipe has left, and the
    interpreter's last flush must not fail again (Python's documented recipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


#: Each command and the module of this package that defines it.  A module is imported when one
#: of its commands is run or listed (``--help``), so a search does not import the indexer's
#: commands, nor ``index`` the search's.
COMMAND_MODULES = {
    "index": "indexing",
    "remove": "indexing",
    "extract": "indexing",
    "search": "searching",
    "similar": "searching",
    "show": "searching",
    "stats": "searching",
    "watch": "live",
    "alert": "live",
}


class _Commands(click.Group):
    """The command group: commands imported on demand, quiet when the reader of its output leaves.

    ``newsindex search oil | head -1``: click turns a broken pipe inside a
    command into exit 1 before our ``main`` could see it, so it is caught here,
    inside click, and ends the run as ripgrep does: exit 0, nothing said.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            import_module(f"{__package__}.{module}")  # its decorators add its commands to this group
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_stdout()
            raise click.exceptions.Exit(EXIT_FOUND) from None


class QueryCommand(click.Command):
    """A command whose arguments are query words: ``-oil`` is an excluded word, not an option.

    click reads ``-oil`` as the short options ``-o -i -l`` and says "No such
    option: -o"; say instead how to pass it (after ``--``).
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # click's parser consumes the list it is given
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            word = _word_taken_for_option(given, exc.option_name)
            if word is None:
                raise
            raise click.UsageError(
                f"{word!r} is not an option; to search with an excluded word, put the query after --: "
                f"newsindex {ctx.info_name} -- {word}",
                ctx,
            ) from None


def _word_taken_for_option(args: list[str], option_name: str) -> str | None:
    """The argument that click read as the unknown short option ``option_name`` ("-oil" for "-o")."""
    if option_name.startswith("--"):
        return None
    for arg in args:
        if arg == "--":
            break
        if arg.startswith(option_name) and len(arg) > 2 and not arg.startswith("--"):
            return arg
    return None


def _add_options(options):
    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


@click.group(cls=_Commands, context_settings=CONTEXT)
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
