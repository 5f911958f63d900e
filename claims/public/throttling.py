"""Rate limits of the public pages, counted like the API's (``claims.throttling``, in the shared cache).

Each page belongs to a scope with its own rate (``PAGE_THROTTLE``, ``REPORT_THROTTLE``): a signed-in user
is counted by id, anyone else by address (DRF's rule, ``NUM_PROXIES``). Beyond the rate the reader gets a
429 page saying when to come back, with ``Retry-After``.
"""

import functools
import math

from django.shortcuts import render

from claims.throttling import PageRateThrottle


def throttled(scope: str):
    """Decorate a view so that its readers are held to the rate of ``scope``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            throttle = PageRateThrottle(scope)
            if throttle.allow_request(request, view=None):
                return view(request, *args, **kwargs)
            seconds = math.ceil(throttle.wait() or 1)
            response = render(request, "claims/throttled.html", {"seconds": seconds}, status=429)
            response["Retry-After"] = str(seconds)
            return response

        return wrapper

    return decorator
