"""What the logs say about each request: its id on every line logged while it runs, and the slow ones.

A request keeps the ``X-Request-ID`` its load balancer or proxy gave it (when it looks like an id),
else gets a new one; the response carries it back, so an error a user reports can be found in the
logs. Requests slower than SLOW_REQUEST_MS are logged with their time and number of SQL queries.
"""

import contextlib
import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.db import connections

logger = logging.getLogger("factcheck.requests")

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_request_id = contextvars.ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record, None outside a request (commands, start-up)."""

    def filter(self, record):
        record.request_id = _request_id.get()
        return True


class QueryCounter:
    """Counts the SQL queries of one request, on every database, without keeping their text."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _ACCEPTED_ID.fullmatch(offered) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        counter = QueryCounter()
        started = time.perf_counter()
        try:
            with contextlib.ExitStack() as stack:
                for alias in connections:
                    stack.enter_context(connections[alias].execute_wrapper(counter))
                response = self.get_response(request)
            elapsed_ms = (time.perf_counter() - started) * 1000
            if elapsed_ms >= settings.SLOW_REQUEST_MS:
                logger.warning(
                    "slow request",
                    extra={
                        "method": request.method,
                        "path": request.get_full_path(),
                        "status": response.status_code,
                        "duration_ms": round(elapsed_ms, 1),
                        "queries": counter.count,
                    },
                )
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            _request_id.reset(token)
