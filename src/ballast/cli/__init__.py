"""The ``ballast`` command line."""

from ballast.cli.app import app, main

__all__ = ["app", "main"]
