"""psm-ld: the Piano Strategico Metropolitano of the Città metropolitana di Torino as linked data."""

__version__ = "0.1.0"  # the one version: pyproject.toml reads it, the app and the CLI show it
