"""The user's config file (TOML): how record fields map to article fields.

Example (``~/.config/newsindex/config.toml``, or any file given with ``--config``)::

    [fields]
    body = "fields.bodyText"               # one record key (dotted: nested)
    title = ["headline.main", "headline"]  # or candidate keys, tried in order

    [sources]                              # the outlet of articles that name none
    "reuters-txt" = "Reuters"              # a folder glob ("*" crosses "/") -> outlet
    "bbc/*" = "BBC News"

An ``[engine]`` table points every command at a Solr cluster instead of the
embedded index (``--engine`` and ``--solr`` override it)::

    [engine]
    name = "solr"                                # or "whoosh", the default
    solr = "http://localhost:8983/solr"          # a node; /solr/NAME for another collection
    shards = 4                                   # for a collection newsindex creates
    replicas = 2

An ``[index]`` table says where the embedded index lives when neither --index nor
$NEWSINDEX_INDEX does::

    [index]
    path = "~/news-index"                  # the index, when neither --index nor $NEWSINDEX_INDEX says

Configured keys are tried before the built-in names of ``data/record_fields.txt``,
which stay as a fallback; ``--field NAME=KEY`` overrides a field's configured keys.
Only the command line reads the per-user file; the library reads no file by itself.
Every problem is a ``ConfigError`` whose message names the file (and, for TOML
syntax, the line), so the command can print it as one line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: Tables a config file may hold.
SECTIONS = ("fields", "sources", "engine", "index")
ENGINES = ("whoosh", "solr")


class ConfigError(ValueError):
    """A config file that cannot be used; the message says which and why."""


@dataclass
class Config:
    """A config file's settings (all empty without one)."""

    path: Path | None = None
    #: article field -> record keys to try first, in order
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: ``[engine]``: name, solr (URL), shards, replicas
    engine: dict[str, object] = field(default_factory=dict)
    #: folder glob -> outlet name, for articles that name no outlet
    sources: dict[str, str] = field(default_factory=dict)
    #: ``[index] path``: where the index lives when neither --index nor $NEWSINDEX_INDEX says
    index_path: Path | None = None


def user_config_path() -> Path:
    """``$XDG_CONFIG_HOME/newsindex/config.toml``, else ``~/.config/newsindex/config.toml``."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base, "newsindex", "config.toml")


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """The config in ``path``; without one, the per-user file if there is one (else empty)."""
    if path is None:
        path = user_config_path()
        if not path.is_file():
            return Config()
    path = Path(path)
    tomllib = _toml_parser()  # only now: most runs have no config file, and the parser is a costly import
    if tomllib is None:
        raise ConfigError(f"cannot read config file {path}: needs Python 3.11 or later (or pip install tomli)")
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a directory") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: invalid TOML: {exc}") from None
    for name in data:
        if name not in SECTIONS:
            raise ConfigError(f"config file {path}: unknown setting {name!r} (known: {', '.join(SECTIONS)})")
    return Config(
        path,
        _fields(path, data.get("fields", {})),
        engine=_engine(path, data.get("engine", {})),
        sources=_sources(path, data.get("sources", {})),
        index_path=_index_path(path, data.get("index", {})),
    )


def _toml_parser():
    """``tomllib``, or on Python 3.10 the same parser under its first name if installed; else None."""
    try:
        import tomllib
    except ImportError:
        try:
            import tomli as tomllib
        except ImportError:
            return None
    return tomllib


def _index_path(path: Path, table: object) -> Path | None:
    """``[index] path``: ``~`` expanded; a relative path is taken from the config file's folder."""
    if not isinstance(table, dict):
        raise ConfigError(f"config file {path}: 'index' must be a table ([index]), not {_kind(table)}")
    for name in table:
        if name != "path":
            raise ConfigError(f"config file {path}: unknown setting {name!r} in [index] (known: path)")
    value = table.get("path")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"config file {path}: index.path must be a folder name (a string), not {_kind(value)}")
    return path.parent / Path(value.strip()).expanduser()


def _sources(path: Path, table: object) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ConfigError(f"config file {path}: 'sources' must be a table ([sources]), not {_kind(table)}")
    sources = {}
    for glob, outlet in table.items():
        if not isinstance(outlet, str) or not outlet.strip() or not glob.strip():
            raise ConfigError(
                f"config file {path}: sources.{glob!r} must name an outlet (a string), not {_kind(outlet)} {outlet!r}"[
                    :300
                ]
            )
        sources[glob.strip()] = outlet.strip()
    return sources


def _fields(path: Path, table: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise ConfigError(f"config file {path}: 'fields' must be a table ([fields]), not {_kind(table)}")
    from .extract import default_field_map  # here: a search reading [engine] need not load the extractors

    known = default_field_map()
    fields = {}
    for name, value in table.items():
        if name not in known:
            raise ConfigError(
                f"config file {path}: unknown article field {name!r} in [fields] (known: {', '.join(sorted(known))})"
            )
        keys = [value] if isinstance(value, str) else value
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k.strip() for k in keys):
            raise ConfigError(
                f"config file {path}: fields.{name} must be a record key or a list of keys (strings), "
                f"not {_kind(value)} {value!r}"[:300]
            )
        fields[name] = tuple(k.strip() for k in keys)
    return fields


def _engine(path: Path, table: object) -> dict[str, object]:
    if not isinstance(table, dict):
        raise ConfigError(f"config file {path}: 'engine' must be a table ([engine]), not {_kind(table)}")
    wanted = {"name": str, "solr": str, "shards": int, "replicas": int}
    for key, value in table.items():
        if key not in wanted:
            raise ConfigError(f"config file {path}: unknown setting {key!r} in [engine] (known: {', '.join(wanted)})")
        if type(value) is not wanted[key] or (wanted[key] is int and value < 1):
            kind = "a positive number" if wanted[key] is int else "a string"
            raise ConfigError(f"config file {path}: engine.{key} must be {kind}, not {_kind(value)} {value!r}"[:300])
    if table.get("name", "whoosh") not in ENGINES:
        raise ConfigError(f"config file {path}: engine.name must be one of {', '.join(ENGINES)}, not {table['name']!r}")
    return dict(table)


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", dict: "a table", list: "a list", str: "a string"}
    return names.get(type(value), "a " + type(value).__name__)
