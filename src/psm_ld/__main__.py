"""`python -m psm_ld` runs the CLI."""

from psm_ld.cli import app

app()
