"""What the commands share under click: the click group, its options, the ingest options.

The pieces that need no click (exit codes, ``Failure``, printing, the engine) are in
``basics``; the reading commands' options are declared in ``params``.  click itself comes
from ``clicking``, which imports it without the modules it would import for nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib import import_module

from .basics import EXIT_ERROR, EXIT_FOUND, Failure, _quiet_stdout
from .clicking import click
from .params import COLOR, CONFIG, ENGINE, Choice, FloatRange, IntRange, Param

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _ShownFailure(click.ClickException):
    """A ``Failure`` raised under click: shown as ``Failure.show`` shows it, exit code 2."""

    exit_code = EXIT_ERROR

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure

    def show(self, file=None) -> None:
        self.failure.show()


_CLICK_TYPES = {
    IntRange: lambda kind: click.IntRange(kind.low, kind.high),
    FloatRange: lambda kind: click.FloatRange(min=kind.low),
    Choice: lambda kind: click.Choice(list(kind.choices)),
}


def _click_param(param: Param):
    """The click decorator of a declared option or argument."""
    settings = dict(param.settings)
    if settings.get("type") is not None:
        settings["type"] = _CLICK_TYPES[type(param.type)](param.type)
    make = click.argument if param.is_argument else click.option
    return make(*param.decls, **settings)


def _add_options(options):
    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def with_params(params: Iterable[Param]):
    """A decorator adding ``params`` (declared in ``params``) to a command, in their order."""
    return _add_options([_click_param(param) for param in params])


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
        if rules:  # users' files checked now (the shipped rules are compiled when a run needs them)
            options.rules()
    except ValueError as exc:
        raise Failure(str(exc)) from None
    return options


engine_option = with_params(ENGINE)
config_option = with_params([CONFIG])
color_option = with_params([COLOR])
cluster_options = [
    click.option("--shards", type=click.IntRange(1, 1024), help="Shards of a new Solr collection [default: 2]."),
    click.option("--replicas", type=click.IntRange(1, 16), help="Copies of each Solr shard [default: 1]."),
]
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
        except Failure as failure:
            raise _ShownFailure(failure) from None


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
