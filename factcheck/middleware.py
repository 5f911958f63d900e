"""The project's own middleware: the API's cache headers, and what the app answers while its database cannot be
reached: 503 and when to try again, not a 500 with a traceback.

Django gets the app going again by itself once the database is back, without a restart: at the start
and end of every request it closes a connection that raised such an error and no longer answers, and
with ``conn_health_checks`` (settings) it checks a persistent connection before the first query of a
request, so one that the database dropped in between is replaced rather than used.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from claims.api.errors import error_response, is_api_request

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
MESSAGE = "The database cannot be reached at the moment. Please try again shortly."


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into a 503: the API's JSON error under /api/, a short plain page elsewhere.

    DRF's exception handler leaves these errors alone (they are no ``APIException``), so they reach
    ``process_exception`` from API views as from the admin and the public pages: this is the one place
    that handles them. Errors raised by other middleware or while a streamed response is sent never get here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # One line, without the traceback: the cause is known, and an outage would fill the log with copies.
        reason = " ".join(str(exception).split())
        logger.error("Database unavailable, answering 503 to %s %s: %s", request.method, request.path, reason)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if is_api_request(request):
            response = error_response(503, code="database_unavailable", message=MESSAGE, headers=headers)
        else:
            response = HttpResponse(MESSAGE, status=503, content_type="text/plain; charset=utf-8", headers=headers)
        # Django would log every 5xx answer once more ("Service Unavailable: /path"); the line above says it all.
        response._has_been_logged = True
        return response


class ApiCacheHeadersMiddleware:
    """An API answer depends on who asks: it varies on Authorization, and one made for a user is theirs alone.

    ``Cache-Control: private`` keeps a shared cache (a proxy, a CDN) from storing a user's answer and
    serving it to someone else; ``Vary: Authorization`` keeps it from serving an anonymous answer to a
    token's holder or the other way round. DRF sets the user it authenticated on the request, so the
    answer knows whether a token or a session was used.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_api_request(request):
            patch_vary_headers(response, ["Authorization"])
            if request.user.is_authenticated:
                patch_cache_control(response, private=True)
        return response
