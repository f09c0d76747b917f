"""A per-client request limit that slows down guessing credential ids and flooding the verifier.

The count is a sliding window kept in this process's memory: several server
processes each keep their own count, and a restart clears it. Clients are told
apart by their address as the ASGI server reports it (behind a reverse proxy,
uvicorn takes it from ``X-Forwarded-For`` only for proxies it trusts).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from fastapi import Request

from api.problems import ProblemError

__all__ = ["DEFAULT_REQUESTS_PER_MINUTE", "RateLimiter"]

logger = logging.getLogger(__name__)

DEFAULT_REQUESTS_PER_MINUTE = 120
_WINDOW_SECONDS = 60.0
# Clients remembered at once; the least recently seen is forgotten first, so
# memory stays bounded when many addresses send a request each.
_MAX_CLIENTS = 10_000


class RateLimiter:
    """A limit of ``max_requests`` requests per client in any 60-second window."""

    def __init__(self, max_requests: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_requests = max_requests
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._rejected = 0

    def retry_after(self, client: str) -> float | None:
        """Count one request from ``client``; return seconds to wait if it is over the limit."""
        now = self._clock()
        with self._lock:
            times = self._seen.pop(client, None) or deque()
            while times and times[0] <= now - _WINDOW_SECONDS:
                times.popleft()
            self._seen[client] = times
            if len(self._seen) > _MAX_CLIENTS:
                self._seen.popitem(last=False)
            if len(times) >= self.max_requests:
                return times[0] + _WINDOW_SECONDS - now
            times.append(now)
            return None

    def check(self, request: Request) -> None:
        """Raise 429 when the client of ``request`` is over the limit."""
        if self.max_requests <= 0:
            return
        client = request.client.host if request.client else "unknown"
        wait = self.retry_after(client)
        if wait is None:
            return

        self._rejected += 1
        # One log line per 100 rejections keeps a flood from flooding the log too.
        if self._rejected % 100 == 1:
            logger.warning("rate limit of %d requests per minute reached; %d requests rejected "
                           "so far", self.max_requests, self._rejected)
        seconds = max(1, math.ceil(wait))
        raise ProblemError(
            429, "rate_limited",
            f"Quá nhiều yêu cầu từ địa chỉ này (tối đa {self.max_requests} yêu cầu mỗi phút). "
            f"Hãy thử lại sau {seconds} giây.",
            f"Too many requests from this address (limit {self.max_requests} per minute). "
            f"Try again in {seconds} seconds.",
            headers={"Retry-After": str(seconds)},
        )
