"""A search is a whole process start: it imports only what a search uses.

The same holds for ``show``, ``stats`` and ``--help``; each test below runs the command in a
fresh interpreter and names modules that must not have been imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import REPO

#: Modules Whoosh would import that no search uses (see ``newsindex.engine.whoosh``).
NEVER_IN_A_SEARCH = (
    "urllib.request",
    "http.client",
    "asyncio",
    "cached_property",
    "whoosh.lang.morph_en",
    "hashlib",
    "tempfile",
    "shutil",
    "calendar",
    "queue",
    "html",
    "inspect",  # dataclasses imports it for a class without a docstring: give each one a docstring
)


MARKER = "--- modules imported ---"


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint({MARKER!r}, *sys.modules, sep='\\n')"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.rpartition(MARKER)[2].split())  # the names after the command's own output


#: Modules no reading command (search, show, stats) imports: the other commands' CLI modules,
#: the indexer, the pipeline's earlier stages, the config parser (no config file here).
NEVER_IN_A_READ = (
    "newsindex.cli.indexing",
    "newsindex.cli.live",
    "newsindex.index.dedup",
    "newsindex.index.run",
    "newsindex.ingest",
    "tomllib",
    "csv",
)


def _modules_after_command(*args: str) -> set[str]:
    """The modules a ``newsindex ARGS...`` process has imported when it ends (it must succeed)."""
    code = (
        "import sys\n"
        "from newsindex.cli import main\n"
        f"sys.argv = ['newsindex', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code in (0, None), exit.code\n"
    )
    return _modules_after(code)


def _prefixed(loaded: set[str], *prefixes: str) -> set[str]:
    return {name for name in loaded if name.startswith(prefixes)}


def test_a_search_process_imports_none_of_the_deferred_modules(seed_index):
    # A phrase: a search through Whoosh (plain words are the direct reader's, test_direct_reader.py).
    loaded = _modules_after_command("search", '"liaison office"', "--index", str(seed_index), "--format", "jsonl")
    assert "newsindex.engine.whoosh.searching" in loaded  # the search really ran
    assert not loaded & set(NEVER_IN_A_SEARCH)
    assert not any(name.startswith("newsindex.extract") or name.startswith("newsindex.clean") for name in loaded)


def test_the_deferred_names_still_work_and_the_real_modules_import_afterwards():
    code = (
        "from newsindex.engine.whoosh import _import_whoosh_lightly\n"
        "_import_whoosh_lightly()\n"
        "import whoosh.compat, whoosh.query.terms, whoosh.reading\n"
        "assert 'run' in set(whoosh.query.terms.variations('runs'))\n"
        "import urllib.request, cached_property\n"
        "assert hasattr(urllib.request, 'urlopen') and hasattr(cached_property, 'threaded_cached_property')\n"
    )
    loaded = _modules_after(code)
    assert {"urllib.request", "whoosh.lang.morph_en", "cached_property"} <= loaded


def test_the_modules_whoosh_imports_whole_or_by_name_work_when_first_used():
    code = (
        "from newsindex.engine.whoosh import _import_whoosh_lightly\n"
        "_import_whoosh_lightly()\n"
        "import io, sys, zlib\n"
        "from whoosh import compat, searching\n"
        "from whoosh.filedb import compound, filestore, filetables\n"
        "from whoosh.util import times\n"
        "assert 'hashlib' not in sys.modules and 'tempfile' not in sys.modules\n"
        "assert filetables.md5_hash(b'oil') == int('c5af0543407a6e8ba11db6a69f792014', 16) & 0xFFFFFFFF\n"
        "assert compat.htmlescape('<a & b>') == '&lt;a &amp; b&gt;'\n"
        "assert isinstance(filestore.tempfile.gettempdir(), str)\n"
        "assert times.calendar.monthrange(2024, 2) == (3, 29)\n"
        "assert compat.queue.Queue().empty()\n"
        "target = io.BytesIO()\n"
        "compound.copyfileobj(io.BytesIO(b'news'), target)\n"
        "assert target.getvalue() == b'news'\n"
        "assert searching.classify.Expander and searching.highlight.Highlighter\n"
    )
    loaded = _modules_after(code)
    assert {"hashlib", "tempfile", "calendar", "queue", "shutil", "whoosh.classify", "whoosh.highlight"} <= loaded


def test_show_and_stats_import_neither_the_indexer_nor_the_other_commands(seed_index):
    for args in (("show", "seeds/000_eb7c0f23e2b03f76.txt"), ("stats",), ("search", "liaison")):
        loaded = _modules_after_command(*args, "--index", str(seed_index))
        # The index was really read: by Whoosh, by the direct reader, or its summary (stats).
        read_by = {
            "newsindex.engine.whoosh.store",
            "newsindex.engine.whoosh.direct.reader",
            "newsindex.engine.whoosh.summary",
        }
        assert loaded & read_by, args
        assert not loaded & set(NEVER_IN_A_READ), (args, loaded & set(NEVER_IN_A_READ))
        assert not _prefixed(loaded, "newsindex.extract", "newsindex.clean"), args


def test_stats_reads_the_summary_without_whoosh(seed_index):
    loaded = _modules_after_command("stats", "--index", str(seed_index))
    assert "newsindex.engine.whoosh.summary" in loaded
    assert not _prefixed(loaded, "whoosh"), sorted(_prefixed(loaded, "whoosh"))


def test_show_imports_none_of_the_search_code(seed_index):
    loaded = _modules_after_command("show", "seeds/000_eb7c0f23e2b03f76.txt", "--index", str(seed_index))
    assert "newsindex.engine.whoosh.direct.article" in loaded
    search_code = ("parsing", "results", "feedback", "filters", "matching", "spelling", "snippets", "searching")
    assert not loaded & {f"newsindex.engine.whoosh.{name}" for name in search_code}
    assert "whoosh.qparser" not in loaded


def test_help_imports_no_engine_and_no_library_stage():
    for args in (("--help",), ("search", "--help"), ("index", "--help")):
        loaded = _modules_after_command(*args)
        assert not _prefixed(loaded, "whoosh", "newsindex.engine", "newsindex.index", "newsindex.query"), args
        assert not loaded & {"tomllib", "newsindex.render", "newsindex.models"}, args
        assert not loaded & {"json", "signal"}, args  # imported where a command uses them


def test_every_command_is_found_where_the_group_looks_for_it():
    code = (
        "from importlib import import_module\n"
        "from newsindex.cli.common import COMMAND_MODULES, cli\n"
        "for module in set(COMMAND_MODULES.values()):\n"
        "    before = set(cli.commands)\n"
        "    import_module('newsindex.cli.' + module)\n"
        "    for name in set(cli.commands) - before:\n"
        "        assert COMMAND_MODULES.get(name) == module, (name, module)\n"
        "assert set(cli.commands) == set(COMMAND_MODULES), set(cli.commands) ^ set(COMMAND_MODULES)\n"
    )
    _modules_after(code)


def test_short_commands_run_without_the_cycle_collector_and_long_ones_with_it():
    code = (
        "import gc, sys\n"
        "import newsindex.cli as cli, newsindex.cli.quick as quick\n"
        "assert gc.isenabled()  # importing the CLI leaves the collector as it was\n"
        "seen = {}\n"
        "def fake_main(**_):\n"
        "    seen[sys.argv[1]] = gc.isenabled()\n"
        "    return 0\n"
        "cli.cli.main = fake_main  # click's commands; and the quick ones:\n"
        "quick.quick_command = lambda args: (lambda: fake_main()) if args[0] in ('search', 'stats') else None\n"
        "for command in ('search', 'stats', 'index', 'watch'):\n"
        "    gc.enable()\n"
        "    sys.argv = ['newsindex', command]\n"
        "    cli.main()\n"
        "assert seen == {'search': False, 'stats': False, 'index': True, 'watch': True}, seen\n"
    )
    _modules_after(code)


def test_the_indexer_imports_numpy_only_when_a_run_needs_it():
    """numpy (~40 ms) is imported by a run that changes something, while a big walk's fork
    walks (``scan._import_for_commit``), not with the indexer."""
    assert "numpy" not in _modules_after("import newsindex.index.run\nimport newsindex.index.remove")


def test_a_one_file_run_updating_the_graph_does_not_import_numpy_s_masked_arrays(tmp_path):
    """``np.unique`` (through ``np.union1d``) imports ``numpy.ma``, 17 ms of a one-file run:
    the graph's update takes its links apart without it."""
    news = tmp_path / "news"
    news.mkdir()
    for number in range(3):
        text = "Grain shipments left the harbour at dawn as dockers returned to work. " * 8
        (news / f"s{number}.txt").write_text(f"Harbour story\n\n{text}\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    build = f"from newsindex.index import build_index\nbuild_index([{str(news)!r}], {str(index_dir)!r}, workers=1)\n"
    assert "numpy.ma" in _modules_after(build + "import numpy.ma\n")  # the check sees it when it is there
    (news / "s0.txt").unlink()  # a document gone: its links dropped
    loaded = _modules_after(build)
    assert "newsindex.engine.whoosh.neargraph" in loaded and "numpy.ma" not in loaded


def test_plain_words_are_parsed_as_whoosh_s_parser_parses_them():
    import random
    import re

    from newsindex.engine.whoosh.parsing import _only_excluded_words, _parser, _plain_words
    from newsindex.engine.whoosh.store import make_schema

    schema = make_schema()
    words = set()
    for path in (path for path in (REPO / "corpus").rglob("*") if path.is_file()):
        words.update(re.findall(r"[^\W_]+", path.read_text(encoding="utf-8", errors="replace")))
    # Stop words, digits, accents, an acronym, "and" in other cases than the operator's.
    words = [*sorted(words), "the", "of", "a", "s", "1987", "café", "naïve", "NATO", "And", "and", "Or", "not"]
    assert len(words) > 1000
    pick = random.Random(18)
    checked = 0
    for _ in range(600):
        text = " ".join(pick.choice(words) for _ in range(pick.randint(1, 4)))
        for match in ("all", "any"):
            made = _plain_words(f" {text}\t", schema, match)
            assert made is not None, text
            assert made == _only_excluded_words(_parser(schema, match).parse(text, normalize=False)).normalize(), text
            checked += 1
    assert checked == 1200
    for text in (
        '"port strike"',
        "port AND strike",
        "port OR strike",
        "NOT port",
        "strik*",
        "strike~",
        "-port",
        "title:port",
        "covid-19",
        "port's",
        "port_strike",
        "(port)",
        "port^2",
        "",
    ):
        assert _plain_words(text, schema, "all") is None, text


def test_a_search_of_plain_words_does_not_import_whoosh_s_query_parser(seed_index):
    plain = _modules_after_command("search", "liaison office", "--index", str(seed_index))
    assert "newsindex.engine.whoosh.direct.search" in plain  # the direct reader: no parser at all
    assert not _prefixed(plain, "whoosh.qparser", "newsindex.engine.whoosh.parsing")
    phrase = _modules_after_command("search", '"liaison office"', "--index", str(seed_index))
    assert "whoosh.qparser" in phrase


def test_our_cleandoc_equals_inspects_on_every_help_text_and_odd_shapes():
    import inspect

    from newsindex.cli.clicking import _cleandoc
    from newsindex.cli.common import COMMAND_MODULES, cli

    for module in set(COMMAND_MODULES.values()):
        __import__(f"newsindex.cli.{module}")
    texts = [command.help or "" for command in cli.commands.values()]
    texts += [getattr(param, "help", None) or "" for command in cli.commands.values() for param in command.params]
    texts += ["", "   ", "\n\n a\n\tb\n  c\n\n", "x\n  y\n    z", "  first\n\n   second\n  third  \n", "\t\ttab"]
    assert len(texts) > 50
    for text in texts:
        assert _cleandoc(text) == inspect.cleandoc(text), repr(text)


def test_a_command_imports_neither_inspect_nor_uuid_and_click_still_works(seed_index):
    for args in (("search", "liaison", "--count", "--index", str(seed_index)), ("--help",), ("search", "--help")):
        loaded = _modules_after_command(*args)
        assert not loaded & {"inspect", "ast", "dis", "tokenize", "uuid", "platform"}, args
    code = (
        "import newsindex.cli, click, uuid, inspect\n"
        "assert click.UUID.convert('12345678-1234-5678-1234-567812345678', None, None) == "
        "uuid.UUID('12345678-1234-5678-1234-567812345678')\n"
        "assert inspect.signature(len) is not None\n"
    )
    _modules_after(code)


def test_the_program_ends_a_short_command_at_once_with_its_output_and_exit_code(seed_index):
    """``run`` (console script, ``python -m``) flushes and ends a short command with ``os._exit``."""

    def program(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "newsindex", *args, "--index", str(seed_index)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO.parent,
        )

    found = program("search", "liaison", "--format", "jsonl", "-n", "1000")
    assert found.returncode == 0 and found.stdout.count("\n") >= 1 and found.stdout.endswith("\n"), found
    assert program("search", "zzzqqqxx", "--count").returncode == 1
    broken = program("search", "--index-typo")
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
    stats = program("stats", "--format", "json")
    assert stats.returncode == 0 and stats.stdout.rstrip().endswith("}")


def test_the_program_ends_a_long_command_as_usual_with_every_object_frozen(tmp_path):
    """``index`` ends normally (its files written and closed, atexit run), every object frozen
    first so that Python's last collection does not look through them (60-80 ms at 200,000
    files); a failing ``index`` freezes too and keeps its exit code."""
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("Harbour story\n\nGrain left the harbour at dawn.\n", encoding="utf-8")
    (news / "bad.json").write_text("{not json", encoding="utf-8")
    errors = tmp_path / "errors.tsv"
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, file=sys.stderr))\n"
        "sys.argv = ['newsindex', *sys.argv[1:]]\n"
        "from newsindex.cli import run\n"
        "run()\n"
    )

    def program(*args) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=120, cwd=REPO
        )

    done = program("index", news, "--index", tmp_path / "ix", "--errors", errors, "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["added"] == 1, done
    assert "frozen True" in done.stderr
    assert errors.read_text(encoding="utf-8").endswith("\n") and "bad.json" in errors.read_text(encoding="utf-8")
    failed = program("index", tmp_path / "missing", "--index", tmp_path / "ix")
    assert failed.returncode == 2 and "frozen True" in failed.stderr and "Traceback" not in failed.stderr


def test_clicks_messages_are_what_gettext_gives_without_importing_it(seed_index):
    import gettext
    import os

    from newsindex.cli.clicking import _gettext, _ngettext

    for message in ("Show this message and exit.", "%(prog)s, version %(version)s", "Error"):
        assert _gettext(message) == gettext.gettext(message)
    assert (_ngettext("one", "many", 1), _ngettext("one", "many", 3)) == ("one", "many")
    if os.path.isdir(os.path.join(sys.base_prefix, "share", "locale")):
        return  # catalogues may be there: gettext is asked, and imported
    loaded = _modules_after_command("search", "--help")  # click's own reading and its messages
    assert "click" in loaded and not loaded & {"gettext", "locale"}


def test_an_ordinary_reading_command_line_imports_no_click(seed_index):
    index = ("--index", str(seed_index))
    for args in (("search", "liaison", "-n", "3", *index), ("show", "seeds/000_eb7c0f23e2b03f76.txt", *index)):
        # Nor typing (a tenth of a search's imports): modules name types under ``TYPE_CHECKING = False``.
        assert not _prefixed(_modules_after_command(*args), "click", "typing"), args
    assert not _prefixed(_modules_after_command("stats", *index, "--format=json"), "click", "typing")
    # Only the last of a repeated option is checked by click: the quick reading leaves that to click.
    assert "click" in _modules_after_command("search", "liaison", "--color", "pink", "--color", "never", *index)


def test_the_stand_in_get_annotations_gives_what_inspect_gives():
    """``dataclasses`` (Python 3.12 on) asks the deferred ``inspect`` for every class's
    annotations; the stand-in's answer must be the real one, for classes with their own
    annotations, inherited ones only, none, and a changed mapping; anything else it passes on."""
    import inspect
    import types

    from newsindex.deferring import STDLIB_STAND_INS

    get_annotations = STDLIB_STAND_INS["inspect"]["get_annotations"]

    class Base:
        first: int
        second: list[str]

    class Child(Base):
        third: float

    class Inherits(Base):
        pass

    class Bare:
        pass

    def function(x: int) -> str:
        return str(x)

    for obj in (Base, Child, Inherits, Bare, types.SimpleNamespace, int, function):
        assert get_annotations(obj) == inspect.get_annotations(obj), obj
    assert get_annotations(Child) == {"third": "float"}  # its own, unevaluated (this module's future import)
    assert get_annotations(Base, eval_str=True) == {"first": int, "second": list[str]}
    mapping = get_annotations(Base)
    mapping["extra"] = bool
    assert "extra" not in Base.__annotations__  # a copy, as inspect gives
