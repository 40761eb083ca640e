"""What every command shares that needs no click: exit codes, the one-line error, printing,
colour, and the engine the options choose.

A reading command runs without importing click (``quick.py``), so these must not import it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable

EXIT_FOUND, EXIT_NOTHING, EXIT_ERROR = 0, 1, 2
#: What click removes from text for a stream that is not a terminal (``click.utils.strip_ansi``).
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


class Failure(Exception):
    """A one-line error for the user, exit code 2 (under click, ``common`` raises it as a
    ``click.ClickException``)."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def show(self) -> None:
        from ..render import safe

        echo(f"newsindex: error: {safe(self.message)}", err=True)


def echo(message: str = "", err: bool = False, color: bool | None = None) -> None:
    """``click.echo`` of a text line: written with a newline and flushed; ANSI codes removed unless
    ``color`` (None: unless the stream is a terminal).  With click loaded, click's own."""
    click = sys.modules.get("click")
    if click is not None:
        click.echo(message, err=err, color=color)
        return
    stream = sys.stderr if err else sys.stdout
    text = f"{message}\n"
    if not (_isatty(stream) if color is None else color):
        text = _ANSI.sub("", text)
    stream.write(text)
    stream.flush()


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except Exception:
        return False


def plain_streams() -> bool:
    """Whether stdout and stderr are text streams ``echo`` writes as click would: there, and not
    ASCII (click rewraps an ASCII stream to write UTF-8)."""
    import codecs

    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if stream is None or not encoding or not hasattr(stream, "errors"):
            return False
        try:
            if codecs.lookup(encoding).name == "ascii":
                return False
        except LookupError:
            return False
    return True


def _echo_lines(lines: Iterable[str], color: bool = False) -> None:
    # click strips ANSI codes off a non-terminal unless told the colour is wanted.
    for line in lines:
        echo(line, color=color)


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


def _quiet_stdout() -> None:
    """Point stdout at /dev/null: the reader of our pipe has left, and the
    interpreter's last flush must not fail again (Python's documented recipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


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
