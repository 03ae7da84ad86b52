"""ballast — an open-source portfolio automation engine."""

__version__ = "0.1.0"
