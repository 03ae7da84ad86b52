"""``python -m ballast`` runs the command line."""

from ballast.cli import main

main()
