"""News Annotator: read news articles closely and tag quotes, sources, claims and speculation."""

__version__ = "0.1.0"
