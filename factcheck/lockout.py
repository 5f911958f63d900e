"""Login lock-outs (django-axes): whose address a login comes from, when it is locked, and the answer then.

A username is locked from an address after LOGIN_FAILURE_LIMIT failures there; an address is locked for every
username after LOGIN_ADDRESS_FAILURE_LIMIT failures, so that guessing one password across many usernames is
stopped too. Both last LOGIN_LOCKOUT_MINUTES from the last failure.
"""

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

from claims.api.errors import error_response, is_api_request

STATUS = 429


def client_address(request) -> str:
    """The client's address as the throttles read it: NUM_PROXIES entries from the right of X-Forwarded-For."""
    return BaseThrottle().get_ident(request)


def _username_locked(request, credentials) -> bool:
    """Whether this username has failed LOGIN_FAILURE_LIMIT times from this address within the cool-off."""
    failures = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=request.axes_ip_address,
        attempt_time__gte=get_cool_off_threshold(request),
    ).aggregate(failures=Sum("failures_since_start"))["failures"]
    return (failures or 0) >= settings.LOGIN_FAILURE_LIMIT


def failure_limit(request, credentials) -> int:
    """The limit axes compares with its count, which is the address's (it includes the username's failures there).

    Axes has one limit for all its lock-out parameters: the username's while the username has reached it from
    this address, else the address's, which is the higher.
    """
    if _username_locked(request, credentials):
        return settings.LOGIN_FAILURE_LIMIT
    return settings.LOGIN_ADDRESS_FAILURE_LIMIT


def lockout_response(request, original_response, credentials):
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = seconds // 60
    locked = "this username from your address" if _username_locked(request, credentials) else "your address"
    message = (
        f"Too many failed logins for {locked}: try again in {minutes} minutes, or ask an administrator to unlock it."
    )
    retry_after = str(seconds)
    if is_api_request(request):
        return error_response(STATUS, code="locked_out", message=message, headers={"Retry-After": retry_after})
    response = render(request, "registration/locked_out.html", {"message": message}, status=STATUS)
    response["Retry-After"] = retry_after
    return response
