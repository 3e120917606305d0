"""ideaboard: a self-hosted idea board for the inside of a company."""

__version__ = "0.1.0"
