"""Keeping claim tokens out of the web server's access log.

A claim link carries its one-time token in the path (``/claim/{token}``), and
uvicorn's access log writes every request path. The filter replaces the token
with ``[hidden]`` before any handler receives the record.
"""

from __future__ import annotations

import logging
import re

__all__ = ["ClaimTokenFilter", "hide_claim_tokens"]

logger = logging.getLogger(__name__)

_CLAIM_PATH = re.compile(r"/claim/[^/?#\s\"]+")
_HIDDEN = "/claim/[hidden]"
_ACCESS_LOGGER = "uvicorn.access"


class ClaimTokenFilter(logging.Filter):
    """A filter that rewrites ``/claim/<token>`` in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _CLAIM_PATH.sub(_HIDDEN, record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_CLAIM_PATH.sub(_HIDDEN, arg) if isinstance(arg, str) else arg
                                for arg in record.args)
        return True


def hide_claim_tokens() -> None:
    """Install the filter on uvicorn's access logger once per process."""
    access = logging.getLogger(_ACCESS_LOGGER)
    if not any(isinstance(item, ClaimTokenFilter) for item in access.filters):
        access.addFilter(ClaimTokenFilter())
