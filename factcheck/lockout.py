"""The answer to a login django-axes refuses after too many failures (LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES)."""

from django.conf import settings
from django.shortcuts import render

from claims.api.errors import error_response, is_api_request

STATUS = 429


def lockout_response(request, original_response, credentials):
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = seconds // 60
    message = (
        f"Too many failed logins for this username from your address: try again in {minutes} minutes, "
        "or ask an administrator to unlock it."
    )
    retry_after = str(seconds)
    if is_api_request(request):
        return error_response(STATUS, code="locked_out", message=message, headers={"Retry-After": retry_after})
    response = render(request, "registration/locked_out.html", {"message": message}, status=STATUS)
    response["Retry-After"] = retry_after
    return response
