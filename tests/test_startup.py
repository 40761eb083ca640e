"""A search is a whole process start: it imports only what a search uses."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO

#: Modules Whoosh would import that no search uses (see ``newsindex.engine.whoosh``).
NEVER_IN_A_SEARCH = ("urllib.request", "http.client", "asyncio", "cached_property", "whoosh.lang.morph_en")


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_a_search_process_imports_none_of_the_deferred_modules(seed_index):
    code = (
        "import sys\n"
        "from newsindex.cli import main\n"
        f"sys.argv = ['newsindex', 'search', 'liaison office', '--index', {str(seed_index)!r}, '--format', 'jsonl']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
    )
    loaded = _modules_after(code)
    assert "newsindex.engine.whoosh.searching" in loaded  # the search really ran
    assert not loaded & set(NEVER_IN_A_SEARCH)
    assert not any(name.startswith("newsindex.extract") or name.startswith("newsindex.clean") for name in loaded)


def test_the_deferred_names_still_work_and_the_real_modules_import_afterwards():
    code = (
        "import newsindex.engine.whoosh\n"
        "import whoosh.compat, whoosh.query.terms, whoosh.reading\n"
        "assert 'run' in set(whoosh.query.terms.variations('runs'))\n"
        "import urllib.request, cached_property\n"
        "assert hasattr(urllib.request, 'urlopen') and hasattr(cached_property, 'threaded_cached_property')\n"
    )
    loaded = _modules_after(code)
    assert {"urllib.request", "whoosh.lang.morph_en", "cached_property"} <= loaded
