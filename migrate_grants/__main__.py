"""`python -m migrate_grants` runs the CLI."""

from .cli import main

main()
