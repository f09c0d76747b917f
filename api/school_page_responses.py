"""Responses shared by the staff page routers: HTML problem pages, redirects, cache reset."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.page_auth import LoginRequired, page_lang, render_page
from api.problems import ProblemError
from api.school_views import page_values

__all__ = ["Handler", "forget_cached_states", "html_errors", "see_other"]

logger = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[Response]]


def html_errors(handler: Handler) -> Handler:
    """Show a problem raised by ``handler`` as an HTML page with the problem's status."""

    @functools.wraps(handler)
    async def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return await handler(*args, **kwargs)
        except LoginRequired:
            raise
        except ProblemError as exc:
            request: Request = kwargs["request"]
            lang = page_lang(request)
            logger.info("school page %s rejected: %d %s", request.url.path, exc.status, exc.code)
            message = exc.message_vi if lang == "vi" else str(exc)
            code = kwargs.get("school_code", "")
            return render_page(request, "school/error.html", lang, status_code=exc.status,
                               **page_values(lang, code, None), message=message,
                               problems=exc.extensions.get("problems") or [])

    return wrapper


def _lang_suffix(lang: str) -> str:
    return "?lang=en" if lang == "en" else ""


def see_other(path: str, lang: str) -> RedirectResponse:
    return RedirectResponse(path + _lang_suffix(lang), status_code=303,
                            headers={"Cache-Control": "no-store"})


def forget_cached_states(request: Request) -> None:
    """Drop the verifier's cached registry states so its pages show a status change at once."""
    cache = getattr(getattr(request.app.state, "service", None), "state_cache", None)
    if cache is not None:
        cache.clear()
