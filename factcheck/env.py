"""Strict readers for settings taken from environment variables.

A misspelt or malformed value stops the process at start-up with the variable's name, instead of
being guessed into something else (a production server silently running with DEBUG on because
someone wrote ``DEBUG=flase`` is the failure this prevents).
"""

import ipaddress
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    allowed = ", ".join(sorted(TRUE_WORDS | FALSE_WORDS))
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use one of: {allowed}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks around items are ignored, empty items are refused."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(item == "" for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item; separate items with single commas.")
    return items


def env_http_url(name: str, default: str) -> str:
    value = env_str(name, default)
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an absolute http:// or https:// URL.")
    return value.rstrip("/")


def env_networks(name: str, default: bool = False) -> bool | list[str]:
    """``true``, ``false``, or a comma-separated list of IP addresses and networks ("10.1.0.0/16, fd12::/64")."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return env_bool(name, default)
    networks = env_list(name, [])
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}={value!r}: {network!r} is not an IP address or network; use true, false or a list of them."
            ) from None
    return networks


def env_redis_url(name: str) -> str:
    """A Redis address (``redis://``, ``rediss://`` with TLS, or ``unix://``), or "" when the variable is unset."""
    value = os.environ.get(name, "").strip()
    if value and urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a Redis URL such as redis://127.0.0.1:6379/0 (redis://, rediss:// or unix://)."
        )
    return value
