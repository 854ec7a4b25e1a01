"""psm-ld: the Piano Strategico Metropolitano of the Città metropolitana di Torino as linked data."""

__version__ = "0.1.0"
