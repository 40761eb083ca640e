"""``python -m newsindex`` runs the command-line interface."""

from .cli import main

main()
