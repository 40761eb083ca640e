"""The commands that read an index (search, similar, show, stats) as click commands: the
functions of ``reading`` with the options ``params`` declares."""

from __future__ import annotations

from .common import CONTEXT, QueryCommand, cli, with_params
from .params import READING
from .reading import COMMANDS

for _name, _function in COMMANDS.items():
    cli.command(_name, cls=QueryCommand if _name == "search" else None, context_settings=CONTEXT)(
        with_params(READING[_name])(_function)
    )
