"""The REST API (FastAPI): ``create_app(store)``; see docs/api.md and docs/security.md."""

from ballast.api.app import create_app

__all__ = ["create_app"]
