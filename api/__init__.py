"""The hocba HTTP API (FastAPI): public verification for now."""

from __future__ import annotations

from api.app import create_app

__all__ = ["create_app"]
