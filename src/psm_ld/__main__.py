"""`python -m psm_ld` runs the CLI."""

from .cli import app

app()
