"""Personhood: the thin shell (CLI, configuration, Flask app factory, demo)."""

__version__ = "0.1.0"
