"""The commands that read an index (search, similar, show, stats) as click commands: the
functions of ``reading`` with the options ``params`` declares."""

from __future__ import annotations

from . import reading
from .common import CONTEXT, QueryCommand, cli, with_params
from .params import READING

for _name, _params in READING.items():
    cli.command(_name, cls=QueryCommand if _name == "search" else None, context_settings=CONTEXT)(
        with_params(_params)(getattr(reading, _name))
    )
