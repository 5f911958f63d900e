"""Rate limits: DRF's throttles, counting in the cache (Redis with REDIS_URL), that let a request through
when the cache does not answer.

Throttling shares the server fairly; it is no security control (login lock-outs are, and they are kept in
the database). So while Redis is down or unreachable, requests are served unthrottled, each logged as an
error, rather than every throttled page and API answer failing with it.
"""

import logging

from redis.exceptions import RedisError
from rest_framework import throttling

logger = logging.getLogger(__name__)


class _ServedWithoutCache:
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except RedisError as error:
            logger.error("Not throttled: the cache that keeps the counts does not answer (%s).", error)
            return True


class AnonRateThrottle(_ServedWithoutCache, throttling.AnonRateThrottle):
    """Anonymous callers of the API, by address (API_THROTTLE_ANON)."""


class UserRateThrottle(_ServedWithoutCache, throttling.UserRateThrottle):
    """Signed-in callers of the API, by user (API_THROTTLE_USER)."""


class PageRateThrottle(_ServedWithoutCache, throttling.SimpleRateThrottle):
    """Readers of one scope of pages (PAGE_THROTTLE, REPORT_THROTTLE): a signed-in user by id, anyone else by
    address."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
