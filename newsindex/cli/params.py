"""The reading commands' options and arguments (search, similar, show, stats), declared once
without click.

click builds these commands from the declarations (``common.with_params``): their help, their
errors and every unusual command line are click's.  ``quick.py`` reads an ordinary command line
of them without importing click, a fifth of a search process's work (issue 18);
tests/test_quick_parse.py holds the two readings equal on thousands of command lines.

A declaration reads like the click call it becomes: ``Option("-n", "--limit", type=IntRange(1,
10_000), default=10, show_default=True, help=...)``; keywords other than those the quick parser
needs (``default``, ``type``, ``multiple``, ``is_flag``, ``nargs``) are click's alone (help, metavar).
"""

from __future__ import annotations

INDEX_HELP = (
    "Index directory [default: $NEWSINDEX_INDEX, else the config file's [index] path, "
    "else ~/.local/share/newsindex/index]."
)


class IntRange:
    """A whole number from ``low`` to ``high`` (None: no bound), both included (click.IntRange)."""

    def __init__(self, low: int | None = None, high: int | None = None) -> None:
        self.low, self.high = low, high

    def convert(self, text: str) -> int:
        return _in_range(int(text), self.low, self.high)


class FloatRange:
    """A number of at least ``low`` (click.FloatRange(min=low))."""

    def __init__(self, low: float) -> None:
        self.low = low

    def convert(self, text: str) -> float:
        return _in_range(float(text), self.low, None)


class Choice:
    """One of ``choices``, exactly as written (click.Choice, case-sensitive)."""

    def __init__(self, *choices: str) -> None:
        self.choices = choices

    def convert(self, text: str) -> str:
        if text not in self.choices:
            raise ValueError(text)
        return text


def _in_range(value, low, high):
    # As click compares: a value is refused only when below low or above high (so NaN passes).
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(value)
    return value


class Param:
    """An option (``Option``) or argument (``Argument``): its declarations and click's keywords."""

    is_argument = False

    def __init__(self, *decls: str, **settings) -> None:
        self.decls, self.settings = decls, settings
        self.name = _name(decls)
        self.type = settings.get("type")
        self.multiple = settings.get("multiple", False)

    def convert(self, text: str):
        return text if self.type is None else self.type.convert(text)


class Option(Param):
    """``--long``/``-s`` options; ``"--x/--no-x"`` is a flag pair, ``is_flag=True`` a flag."""

    def __init__(self, *decls: str, **settings) -> None:
        super().__init__(*decls, **settings)
        #: Each option string and the value it sets: None for "the next argument, converted".
        self.strings: dict[str, object] = {}
        pair = any("/" in decl for decl in decls)
        for decl in decls:
            if decl.isidentifier():
                continue
            first, _, second = (part.strip() for part in decl.partition("/"))
            self.strings[first] = True if (pair or settings.get("is_flag")) else None
            if second:
                self.strings[second] = False
        self.default = settings.get("default", () if self.multiple else (False if settings.get("is_flag") else None))


class Argument(Param):
    """Words after the options: ``nargs=-1`` takes all of them (a tuple), else exactly one."""

    is_argument = True

    def __init__(self, *decls: str, **settings) -> None:
        super().__init__(*decls, **settings)
        self.nargs = settings.get("nargs", 1)


def _name(decls: tuple[str, ...]) -> str:
    """The parameter's name as click derives it: the one declaration that is an identifier,
    else the first long option (else the first option) without its dashes."""
    for decl in decls:
        if decl.isidentifier():
            return decl
    options = [decl.partition("/")[0].strip() for decl in decls]
    longest = sorted(options, key=lambda option: -(2 if option.startswith("--") else 1))[0]
    return longest.lstrip("-").replace("-", "_").lower()


INDEX = Option("--index", "index_dir", metavar="DIR", help=INDEX_HELP)
COLOR = Option(
    "--color",
    type=Choice("auto", "always", "never"),
    default="auto",
    show_default=True,
    help="Colour the output; 'auto' colours only on a terminal.",
)
ENGINE = (
    Option(
        "--engine",
        "engine_name",
        metavar="NAME",
        help="Index engine: whoosh (an index in a local directory) or solr [default: the config file's "
        "[engine] name, else whoosh].",
    ),
    Option(
        "--solr",
        "solr_url",
        metavar="URL",
        help="A Solr node, http://HOST:PORT/solr[/COLLECTION] (implies --engine solr).",
    ),
)
CONFIG = Option("--config", metavar="FILE", help="Config file (TOML) with [engine] or [index] tables.")
#: What every reading command ends with.
COLOR_ENGINE_CONFIG = (COLOR, *ENGINE, CONFIG)
HIT_FORMATS = ("text", "json", "jsonl", "csv", "paths")

SEARCH = (
    Argument("words", nargs=-1, metavar="[QUERY]..."),
    INDEX,
    Option(
        "--since", metavar="DATE", help="Only articles on or after DATE (2019, 2019-03, 'March 2019', '7 days ago')."
    ),
    Option(
        "--until", metavar="DATE", help="Only articles on or before DATE (inclusive: --until 2019 keeps all of 2019)."
    ),
    Option(
        "--tz", "tz_name", default="UTC", show_default=True, help="Time zone for --since/--until and the times shown."
    ),
    Option("-n", "--limit", type=IntRange(1, 10_000), default=10, show_default=True, help="Results per page."),
    Option("--page", type=IntRange(1), default=1, show_default=True),
    Option(
        "--match",
        type=Choice("all", "any"),
        default="all",
        show_default=True,
        help="Require every word, or rank by any.",
    ),
    Option(
        "--feedback/--no-feedback",
        default=True,
        show_default=True,
        help="With --match any: re-rank using the words of the best articles found (RM3).",
    ),
    Option("--sort", type=Choice("relevance", "newest", "oldest"), default="relevance", show_default=True),
    Option("--author", "authors", multiple=True, help="Only this author (repeatable)."),
    Option(
        "--group-by",
        "group_by",
        multiple=True,
        type=Choice("source", "author", "section", "year", "month"),
        help="Count all matches per outlet, author, section, year or month (repeatable).",
    ),
    Option("--duplicates", is_flag=True, help="List near-duplicate articles separately instead of folding them."),
    Option(
        "--recency",
        "recency",
        type=FloatRange(0.1),
        metavar="DAYS",
        help="Favour newer articles: a score halves every DAYS the article is older than the newest match.",
    ),
    Option("--source", "sources", multiple=True, help="Only this outlet (repeatable)."),
    Option("--section", "sections", multiple=True, help="Only this section (repeatable)."),
    Option(
        "--format",
        "fmt",
        type=Choice(*HIT_FORMATS),
        default="text",
        show_default=True,
        help="json holds --group-by counts as a 'facets' object; jsonl, csv and paths (one row per hit) refuse "
        "--group-by.",
    ),
    Option("--count", "count_only", is_flag=True, help="Print only the number of matches (exit 1 when 0)."),
    *COLOR_ENGINE_CONFIG,
)
SIMILAR = (
    Argument("article_id"),
    INDEX,
    Option("-n", "--limit", type=IntRange(1, 1000), default=10, show_default=True),
    Option("--format", "fmt", type=Choice(*HIT_FORMATS), default="text"),
    *COLOR_ENGINE_CONFIG,
)
SHOW = (
    Argument("article_id"),
    INDEX,
    Option("--format", "fmt", type=Choice("text", "json"), default="text", show_default=True),
    Option("--pager/--no-pager", default=None, help="Page long articles [default: on a terminal]."),
    Option("--tz", "tz_name", default="UTC", show_default=True, help="Time zone for the time shown."),
    *COLOR_ENGINE_CONFIG,
)
STATS = (
    INDEX,
    Option("--format", "fmt", type=Choice("text", "json"), default="text", show_default=True),
    Option(
        "--all", "show_all", is_flag=True, help="List every outlet and author (the text shows the 40 and 20 largest)."
    ),
    *COLOR_ENGINE_CONFIG,
)
#: Each reading command's parameters, in the order its help lists them.
READING = {"search": SEARCH, "similar": SIMILAR, "show": SHOW, "stats": STATS}
