"""Start-up: whole `newsindex` processes beside a bare Python start, both ways of installing.

A search from a shell is a whole process, so its time is mostly the interpreter starting and
the imports.  This times, as subprocesses run to completion, ``newsindex search`` (the console
script and ``python -m newsindex``), ``show``, ``stats`` and ``--help`` beside ``python -c pass``
of the same interpreter, in two installations side by side:

- installed: ``pip install .`` into a venv of its own (default under /tmp, reinstalled from this
  checkout each run), what a user gets: bytecode compiled at install time, no import hook;
- editable: the interpreter running this script (``pip install -e``), what a developer gets;
- baseline (``--baseline REF``): another commit (say ``main``) installed the same way into a venv
  of its own, so a change is measured against what it replaces in the same rounds.

Runs alternate (every round runs every command of both installations once, in a rotated
order) and medians are reported with their ratio to the same installation's ``python -c pass``,
so a neighbour's load hits all alike; the load average is printed beside the figures.  The
subprocesses get the environment a user has: ``PYTHONDONTWRITEBYTECODE`` and
``PYTHONPYCACHEPREFIX`` removed (``--as-is`` keeps them, to show what they cost).
``--imports`` adds the heaviest imports of one installed search (``-X importtime``).

    python3 bench/startup.py                      # demo corpus index, 20 rounds, both installations
    python3 bench/startup.py --runs 40 --index /tmp/newsindex-bench/reuters
    python3 bench/startup.py --modes installed --no-reinstall --imports 25
    python3 bench/startup.py --modes installed,baseline --baseline main
    python3 bench/startup.py --modes installed --layers      # where the time goes
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Where the subprocesses run: not in the checkout, where ``python -m newsindex`` would import
#: the checkout's package (the current directory comes first on its path), not the installed one.
WORK = Path(os.environ.get("TMPDIR", "/tmp")) / "newsindex-startup"
TARGET_RATIO = 4.0
#: The README's example on the demo corpus: no article has both words, so the search is relaxed
#: to any word and re-ranked with feedback (RM3), the costliest kind of search in process.
RELAXED = "liaison office"
#: Variables that change how Python caches bytecode: a user's shell has neither.
BYTECODE_VARIABLES = ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")


def child_env(as_is: bool) -> dict[str, str]:
    env = dict(os.environ)
    if not as_is:
        for name in BYTECODE_VARIABLES:
            env.pop(name, None)
    return env


def run_ms(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) milliseconds of ``argv`` run to completion, output discarded.

    The CPU time is the process's own (``wait4``): a neighbour's load stretches the wall clock
    much more than it does the CPU time, so the two together say how far to trust a figure."""
    started = time.perf_counter()
    child = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=WORK
    )
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped here; Popen must not wait for it again
    wall = (time.perf_counter() - started) * 1000
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def installed_venv(venv: Path, reinstall: bool, source: Path = REPO) -> Path:
    """A venv with ``source`` ``pip install``-ed (not editable); its bin directory."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(source)], check=True)
    elif reinstall:
        # Dependencies first (a new one the venv lacks), then this package's code afresh.
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(source)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(source)], check=True
        )
    return python.parent


def baseline_venv(ref: str) -> Path:
    """The commit ``ref`` of this repository, exported to /tmp and installed into a venv of its own."""
    source = WORK / "baseline-src"
    subprocess.run(["rm", "-rf", str(source)], check=True)
    source.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    return installed_venv(WORK / "venv-baseline", reinstall=True, source=source)


def ensure_demo_index(index_dir: Path) -> None:
    """The repository's demo corpus, indexed once with the library this checkout holds (again
    when the index kept from an earlier run is of another format)."""
    sys.path.insert(0, str(REPO))
    from newsindex import build_index
    from newsindex.engine.whoosh.store import IndexProblem, open_index

    if (index_dir / "CURRENT").exists():
        try:
            open_index(index_dir)
            return
        except IndexProblem:
            pass
    build_index([REPO / "corpus"], index_dir, rebuild=True)


def first_short_id(bin_dir: Path, index_dir: Path, query: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(bin_dir / "newsindex"), "search", query, "--index", str(index_dir), "--format", "jsonl", "-n", "1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=WORK,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[0])["short_id"]


#: ``--layers``: what a search imports, layer on layer, each as a process with the collector off as
#: in the CLI: where a search process's time goes beyond the bare start.  The first two are what an
#: ordinary search spares: Whoosh's reading side (the direct reader, engine/whoosh/direct) and
#: click (the quick reading of its command line, cli/quick.py).
LIGHT = "from newsindex.deferring import import_stdlib_lightly; import_stdlib_lightly(); "
LAYERS = {
    "import: Whoosh's reading side (not in a common search)": "from newsindex.engine.whoosh import "
    "_import_whoosh_lightly; _import_whoosh_lightly()",
    "import: click and its commands (not in a common search)": "import newsindex.cli.common",
    "import: the quick CLI and the search command": LIGHT + "import newsindex.cli.quick, newsindex.cli.reading",
    "import: + the direct reader": LIGHT + "import newsindex.cli.quick, newsindex.cli.reading, "
    "newsindex.engine.whoosh.direct.search",
    "import: + render, config": LIGHT + "import newsindex.cli.quick, newsindex.cli.reading, "
    "newsindex.engine.whoosh.direct.search, newsindex.render, newsindex.config",
}


def commands(
    bin_dir: Path, index_dir: Path, query: str, short_id: str, extra: Sequence[str] = (), layers: bool = False
) -> dict[str, list[str]]:
    """Label -> argv, the bare start first: what a user types, with output to a pipe."""
    script, python, index = str(bin_dir / "newsindex"), str(bin_dir / "python"), str(index_dir)
    searching = ["search", query, "--index", index, "--format", "jsonl", *extra]
    return {
        "python -c pass": [python, "-c", "pass"],
        "newsindex search": [script, *searching],
        "python -m newsindex search": [python, "-m", "newsindex", *searching],
        f"newsindex search {RELAXED!r}": [script, "search", RELAXED, "--index", index, "--format", "jsonl"],
        "newsindex show": [script, "show", short_id, "--index", index],
        "newsindex stats": [script, "stats", "--index", index],
        "newsindex --help": [script, "--help"],
        "newsindex search --help": [script, "search", "--help"],
    } | {
        label: [python, "-c", f"import gc; gc.disable(); {code}"] for label, code in (LAYERS.items() if layers else ())
    }


def _run(mode: str, argv: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """``run_ms``; for ``editable-as-is`` with the checkout's bytecode moved aside meanwhile, as in a
    fresh checkout where ``PYTHONDONTWRITEBYTECODE`` is set (the editable runs keep theirs)."""
    if mode != "editable-as-is":
        return run_ms(argv, env)
    caches = list((REPO / "newsindex").rglob("__pycache__"))
    for cache in caches:
        cache.rename(cache.with_name("__pycache__.aside"))
    try:
        return run_ms(argv, env)
    finally:
        for cache in caches:
            cache.with_name("__pycache__.aside").rename(cache)


def measure(
    plans: dict[str, dict[str, list[str]]], runs: int, envs: dict[str, dict[str, str]]
) -> dict[tuple[str, str], list]:
    """Every command of every installation once per round, the order rotated each round."""
    jobs = [(mode, label) for mode, plan in plans.items() for label in plan]
    for mode, label in jobs:  # warm the page cache and write any bytecode
        _run(mode, plans[mode][label], envs[mode])
    times: dict[tuple[str, str], list[tuple[float, float]]] = {job: [] for job in jobs}
    for round_number in range(runs):
        shift = round_number % len(jobs)
        for mode, label in jobs[shift:] + jobs[:shift]:
            times[mode, label].append(_run(mode, plans[mode][label], envs[mode]))
    return times


def report(times: dict[tuple[str, str], list[tuple[float, float]]], loads: tuple[str, str]) -> None:
    print(f"\nload average before {loads[0]}, after {loads[1]} (2 cores); {len(next(iter(times.values())))} rounds")
    print(f"{'installation':<15} {'command':<38} {'wall ms':>8} {'p90':>7} {'x bare':>7} {'CPU ms':>8} {'x bare':>7}")
    for mode in dict.fromkeys(mode for mode, _ in times):
        bare_wall = statistics.median(wall for wall, _ in times[mode, "python -c pass"])
        bare_cpu = statistics.median(cpu for _, cpu in times[mode, "python -c pass"])
        for (each_mode, label), values in times.items():
            if each_mode != mode:
                continue
            walls = sorted(wall for wall, _ in values)
            wall, cpu = statistics.median(walls), statistics.median(cpu for _, cpu in values)
            flag = "" if label == "python -c pass" or wall / bare_wall <= TARGET_RATIO else "  over 4x"
            print(
                f"{mode:<15} {label:<38} {wall:8.1f} {walls[int(0.9 * (len(walls) - 1))]:7.1f} "
                f"{wall / bare_wall:7.2f} {cpu:8.1f} {cpu / bare_cpu:7.2f}{flag}"
            )


def heaviest_imports(argv: Sequence[str], env: dict[str, str], runs: int, top: int) -> None:
    """``-X importtime`` of ``argv`` (a ``python ...`` command), median self time per module over ``runs``."""
    own: dict[str, list[int]] = {}
    for _ in range(runs):
        done = subprocess.run(
            [argv[0], "-X", "importtime", *argv[1:]], capture_output=True, text=True, env=env, cwd=WORK
        )
        for line in done.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s+(\S+)", line)
            if match:
                own.setdefault(match.group(2), []).append(int(match.group(1)))
    medians = {name: statistics.median(values) / 1000 for name, values in own.items()}
    print(f"\n{len(medians)} modules imported, {sum(medians.values()):.1f} ms of median self time; heaviest:")
    for name in sorted(medians, key=medians.get, reverse=True)[:top]:
        print(f"  {medians[name]:6.2f} ms  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="rounds (every command once per round)")
    parser.add_argument("--index", type=Path, help="index to search [default: the demo corpus, indexed in /tmp]")
    parser.add_argument("--query", default="port strike", help="a query whose words all match")
    parser.add_argument(
        "--search-args", default="", metavar="ARGS", help="more options for the searches, e.g. '--since 1987-03-01'"
    )
    parser.add_argument(
        "--modes",
        default="installed,editable",
        help="any of installed, editable, editable-as-is (the editable one in this environment as it is: "
        "with its bytecode variables), baseline",
    )
    parser.add_argument("--baseline", default="main", metavar="REF", help="the commit the baseline installs")
    parser.add_argument("--venv", type=Path, default=WORK / "venv", help="the installed venv (made if absent)")
    parser.add_argument("--no-reinstall", action="store_true", help="use the installed venv as it is")
    parser.add_argument("--as-is", action="store_true", help="keep PYTHONDONTWRITEBYTECODE/PYTHONPYCACHEPREFIX")
    parser.add_argument("--layers", action="store_true", help="also time the imports of a search, layer on layer")
    parser.add_argument("--imports", type=int, default=0, metavar="N", help="list the N heaviest imports of a search")
    args = parser.parse_args(argv)

    env = child_env(args.as_is)
    index_dir = args.index or WORK / "demo-index"
    ensure_demo_index(index_dir)
    bins = {}
    for mode in args.modes.split(","):
        if mode == "installed":
            bins[mode] = installed_venv(args.venv, reinstall=not args.no_reinstall)
        elif mode in ("editable", "editable-as-is"):
            bins[mode] = Path(sys.executable).parent
        elif mode == "baseline":
            bins[f"baseline {args.baseline}"] = baseline_venv(args.baseline)
        else:
            parser.error(f"unknown mode {mode!r}")
    short_id = first_short_id(next(iter(bins.values())), index_dir, args.query, env)
    extra = shlex.split(args.search_args)
    plans = {
        mode: commands(bin_dir, index_dir, args.query, short_id, extra, args.layers) for mode, bin_dir in bins.items()
    }
    loads = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    envs = {mode: child_env(True) if mode == "editable-as-is" else env for mode in plans}
    times = measure(plans, args.runs, envs)
    report(times, (loads, "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())))
    if args.imports:
        search = next(iter(plans.values()))["python -m newsindex search"]
        heaviest_imports(search, env, runs=5, top=args.imports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
