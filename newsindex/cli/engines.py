"""Choosing the engine: ``--engine``/``--solr`` or the config file's ``[engine]`` table.

The embedded (Whoosh) index is the default; the Solr engine is imported only
when a command is pointed at a cluster.
"""

from __future__ import annotations

import sys

import click

from .common import Failure


def engine_options(indexing: bool = False) -> list:
    """``--engine`` and ``--solr``; ``--shards``/``--replicas`` to index, else ``--config``."""
    options = [
        click.option(
            "--engine",
            "engine_name",
            type=click.Choice(["whoosh", "solr"]),
            help="Index engine [default: the config file's [engine] name, else whoosh; --solr implies solr].",
        ),
        click.option("--solr", "solr_url", metavar="URL", help="A Solr node: http://HOST:PORT/solr[/COLLECTION]."),
    ]
    if indexing:
        options += [
            click.option(
                "--shards", type=click.IntRange(1, 1024), help="Shards of a new Solr collection [default: 2]."
            ),
            click.option("--replicas", type=click.IntRange(1, 16), help="Copies of each shard [default: 1]."),
        ]
    else:
        options.append(click.option("--config", metavar="FILE", help="Config file with an [engine] table."))
    return options


def solr_engine(engine_name: str | None, solr_url: str | None, config: str | None):
    """The Solr engine the options or the config file choose, else ``None`` (the embedded one)."""
    from ..config import ConfigError, load_config

    try:
        settings = load_config(config).engine
    except ConfigError as exc:
        raise Failure(str(exc)) from None
    name = engine_name or ("solr" if solr_url else settings.get("name", "whoosh"))
    if name != "solr":
        return None
    url = solr_url or settings.get("solr")
    if not url:
        raise Failure('--engine solr needs --solr URL (or solr = "URL" in the config file\'s [engine] table)')
    from ..engine.solr import SolrEngine, SolrProblem

    try:
        engine = SolrEngine(str(url))
    except SolrProblem as exc:
        raise Failure(str(exc)) from None
    engine.shards = int(settings.get("shards", 2))
    engine.replicas = int(settings.get("replicas", 1))
    return engine


class _NeverRaised(Exception):
    """Stands in for the Solr engine's error while that engine is not loaded."""


def solr_problem() -> type[Exception]:
    """The Solr engine's error type (imported only when a command uses that engine)."""
    if "newsindex.engine.solr" not in sys.modules:
        return _NeverRaised
    from ..engine.solr import SolrProblem

    return SolrProblem
