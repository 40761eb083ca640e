"""``python -m newsindex`` runs the command-line interface."""

from .cli import run

run()
