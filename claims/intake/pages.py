"""Fetching a web page for intake, without letting a URL reach what it should not (server-side request forgery).

``fetch_page(url, policy)`` answers the page's HTML or raises a ``FetchError`` that says why in one sentence:

- only ``http`` and ``https`` URLs, without a user name or password (``UnsupportedUrl``);
- the host is resolved once and every address it resolves to is checked: loopback, private (10/8, 172.16/12,
  192.168/16, fc00::/7), link-local (169.254/16, fe80::/10), shared (100.64/10), multicast, reserved and
  unspecified (0.0.0.0, ::) addresses and the cloud metadata services are refused (``ForbiddenAddress``);
  IPv4 written inside IPv6 (``::ffff:10.0.0.1``, ``64:ff9b::a00:1``) is checked as the IPv4 address it is;
- the connection goes to the very address that was checked: the connection pool is opened on that IP, while
  the ``Host`` header, TLS's server name and the certificate check use the host name. No second DNS look-up
  happens, so a name that answers a public address to the check and a private one to the connection
  (DNS rebinding) cannot slip through;
- redirects are followed by hand, at most ``max_redirects`` of them, and every hop is checked as the first
  was (``TooManyRedirects``; a hop to a forbidden address is a ``ForbiddenAddress``);
- connect and read time-outs, and a deadline for the whole fetch, redirects included (``FetchTimeout``);
- only ``text/html`` and ``application/xhtml+xml`` answers are read (``NotHtml``), at most ``max_bytes``
  of them after decompression: the body is streamed and reading stops past the limit (``PageTooLarge``);
- other failures: no such host, a refused connection, a TLS error (``Unreachable``), an error status
  (``HttpStatusError``).

``FetchPolicy.allow_private`` lets an installation reach its own network (an intranet, the tests' local
server): ``True`` allows loopback, private, link-local and shared addresses, a tuple of networks only those.
Unspecified, multicast and cloud metadata addresses stay refused whatever it says. No proxy is used.
"""

import ipaddress
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, TimeoutError

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "Mozilla/5.0 (compatible; factcheck-tracker article intake)"
CHUNK = 64 * 1024
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud providers' instance metadata services: never fetched, even where private addresses are allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, Azure, Google Cloud, DigitalOcean, OpenStack and others
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """A page that was not fetched, and why, in a sentence for the person who asked for it."""

    code = "fetch_failed"


class UrlRefused(FetchError):
    """The URL is not one that intake fetches: its fault, not the remote site's."""


class UnsupportedUrl(UrlRefused):
    code = "unsupported_url"


class ForbiddenAddress(UrlRefused):
    code = "forbidden_address"


class PageUnavailable(FetchError):
    """The remote site did not give a page that can be read."""


class Unreachable(PageUnavailable):
    code = "unreachable"


class FetchTimeout(PageUnavailable):
    code = "timeout"


class HttpStatusError(PageUnavailable):
    code = "http_status"


class TooManyRedirects(PageUnavailable):
    code = "too_many_redirects"


class PageTooLarge(PageUnavailable):
    code = "too_large"


class NotHtml(PageUnavailable):
    code = "not_html"


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, from the system's resolver."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class FetchPolicy:
    """What a fetch may reach and how long and how much it may read; ``resolver`` is the DNS look-up (the
    system's, ``resolve``, when None)."""

    allow_private: bool | tuple[Network, ...] = False
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    ca_certs: str | None = None  # the certificate authorities https pages are checked against; certifi's if None
    resolver: Callable[[str, int], Sequence[str]] | None = field(default=None, compare=False)

    @classmethod
    def allowing(cls, allowed: bool | Sequence[str], **limits) -> "FetchPolicy":
        """A policy from a setting's value: True, False, or addresses and networks ("10.1.0.0/16")."""
        if not isinstance(allowed, bool):
            allowed = tuple(ipaddress.ip_network(network, strict=False) for network in allowed)
        return cls(allow_private=allowed, **limits)


@dataclass(frozen=True)
class Page:
    """A fetched page: the address it was finally served from, its bytes, and the charset its server named."""

    url: str
    content: bytes | str
    charset: str | None
    redirects: tuple[str, ...] = ()


def check_url(url: str, policy: FetchPolicy | None = None) -> None:
    """Refuse, before any look-up, what is not an http(s) URL that intake could fetch (``UnsupportedUrl``) and, with
    the ``policy`` it would be fetched under, a host written as an address it may not reach (``ForbiddenAddress``)."""
    target = _Target.of(url)
    if policy is not None:
        try:
            address = ipaddress.ip_address(target.host)
        except ValueError:
            return  # a name: its addresses are checked once it is resolved
        _check_address(address, target, policy, redirected=False)


def fetch_page(url: str, policy: FetchPolicy | None = None) -> Page:
    """The HTML page at ``url``, following redirects, or a ``FetchError`` saying why not."""
    policy = policy or FetchPolicy()
    deadline = time.monotonic() + policy.total_timeout
    hops: list[str] = []
    while True:
        target = _Target.of(url)
        address = _checked_address(target, policy, redirected=bool(hops))
        # One pool a hop, on the checked address; the connection is closed, not kept, once the hop is read.
        with _pool(target, address, policy, deadline) as pool:
            response = _request(pool, target, policy)
            try:
                if response.status not in REDIRECT_STATUSES:
                    return _page(target, response, policy, deadline, tuple(hops))
                location = response.headers.get("Location", "").strip()
                if not location:
                    raise HttpStatusError(f"{target.display} answered {response.status} without saying where to go.")
                if len(hops) >= policy.max_redirects:
                    raise TooManyRedirects(
                        f"{hops[0] if hops else url} redirected more than {policy.max_redirects} times; "
                        "the page was not fetched."
                    )
                url = urljoin(target.url, location)
                hops.append(url)
            finally:
                response.close()


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # as sent in the Host header and checked against the certificate (IDNA-encoded)
    port: int
    path: str

    @classmethod
    def of(cls, url: str) -> "_Target":
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as error:
            raise UnsupportedUrl(f"{url!r} is not a valid address: {error}.") from error
        if parts.scheme.lower() not in ("http", "https"):
            scheme = f"uses the {parts.scheme}: scheme" if parts.scheme else "is not an absolute address"
            raise UnsupportedUrl(f"{url!r} {scheme}; only http:// and https:// pages are fetched.")
        if not parts.hostname:
            raise UnsupportedUrl(f"{url!r} names no host.")
        if parts.username is not None or parts.password is not None:
            raise UnsupportedUrl(f"{url!r} carries a user name or password; such addresses are not fetched.")
        try:
            host = parts.hostname.encode("idna").decode("ascii")
        except UnicodeError as error:
            raise UnsupportedUrl(f"{url!r} has a host name that cannot be written in DNS: {error}.") from error
        scheme = parts.scheme.lower()
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        port = port or (443 if scheme == "https" else 80)
        return cls(url=url.strip(), scheme=scheme, host=host, port=port, path=path)

    @property
    def display(self) -> str:
        return self.url

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def address_problem(address: IPAddress, allow_private: bool | tuple[Network, ...] = False) -> str | None:
    """Why ``address`` may not be fetched ("a private address"), or None when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata service's address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if allow_private is True or (allow_private and any(address in network for network in allow_private)):
        return None
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "an address that is not public"
    return None


def _checked_address(target: _Target, policy: FetchPolicy, *, redirected: bool) -> str:
    """The address to connect to: the first one ``target.host`` resolves to, once all of them are allowed."""
    try:
        answers = list(dict.fromkeys((policy.resolver or resolve)(target.host, target.port)))
    except (OSError, UnicodeError) as error:
        raise Unreachable(f"The host {target.host} of {target.display} was not found.") from error
    if not answers:
        raise Unreachable(f"The host {target.host} of {target.display} was not found.")
    for answer in answers:
        try:
            address = ipaddress.ip_address(answer.split("%")[0])
        except ValueError as error:
            raise Unreachable(f"The host {target.host} resolved to {answer!r}, which is not an address.") from error
        _check_address(address, target, policy, redirected=redirected)
    return answers[0].split("%")[0]


def _check_address(address: IPAddress, target: _Target, policy: FetchPolicy, *, redirected: bool) -> None:
    problem = address_problem(address, policy.allow_private)
    if problem:
        where = f"The page was redirected to {target.display}, which" if redirected else target.display
        raise ForbiddenAddress(f"{where} is at {address}, {problem}: pages are fetched only from public addresses.")


def _pool(target: _Target, address: str, policy: FetchPolicy, deadline: float) -> urllib3.HTTPConnectionPool:
    """A connection pool on ``address``, the one checked, speaking to it as ``target.host``."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchTimeout(f"Fetching {target.display} took longer than {policy.total_timeout:g} seconds.")
    timeout = urllib3.Timeout(connect=min(policy.connect_timeout, remaining), read=min(policy.read_timeout, remaining))
    common = {"host": address, "port": target.port, "timeout": timeout, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            **common,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=policy.ca_certs or certifi.where(),
        )
    return urllib3.HTTPConnectionPool(**common)


def _request(pool: urllib3.HTTPConnectionPool, target: _Target, policy: FetchPolicy):
    headers = {
        "Host": target.host_header,
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
    }
    try:
        return pool.urlopen(
            "GET",
            target.path,
            headers=headers,
            redirect=False,
            preload_content=False,
            decode_content=True,
            assert_same_host=False,
        )
    except NewConnectionError as error:  # urllib3 makes it a kind of time-out; it is a refusal
        raise Unreachable(f"{target.display} could not be reached: {_reason(error)}.") from error
    except TimeoutError as error:
        raise FetchTimeout(f"{target.display} did not answer within {policy.read_timeout:g} seconds.") from error
    except (HTTPError, OSError) as error:
        raise Unreachable(f"{target.display} could not be reached: {_reason(error)}.") from error


def _page(target: _Target, response, policy: FetchPolicy, deadline: float, hops: tuple[str, ...]) -> Page:
    if not 200 <= response.status < 300:
        reason = f" {response.reason}" if response.reason else ""
        raise HttpStatusError(f"{target.display} answered {response.status}{reason}; the page was not fetched.")
    message = Message()
    message["Content-Type"] = response.headers.get("Content-Type", "")
    kind = message.get_content_type() if response.headers.get("Content-Type") else ""
    if kind not in HTML_TYPES:
        said = f"is {kind}" if kind else "has no Content-Type"
        raise NotHtml(f"{target.display} {said}, not an HTML page.")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise PageTooLarge(
            f"{target.display} is {int(declared):,} bytes; pages over {policy.max_bytes:,} bytes are not read."
        )
    chunks, size = [], 0
    try:
        # read1 answers with what has arrived, so that a server sending a byte at a time meets the deadline.
        while chunk := response.read1(CHUNK, decode_content=True):
            size += len(chunk)
            if size > policy.max_bytes:
                raise PageTooLarge(f"{target.display} is larger than {policy.max_bytes:,} bytes; it was not read.")
            if time.monotonic() > deadline:
                raise FetchTimeout(f"Fetching {target.display} took longer than {policy.total_timeout:g} seconds.")
            chunks.append(chunk)
    except TimeoutError as error:
        raise FetchTimeout(f"{target.display} stopped sending for {policy.read_timeout:g} seconds.") from error
    except (HTTPError, OSError) as error:
        raise Unreachable(f"{target.display} broke off: {_reason(error)}.") from error
    return Page(url=target.url, content=b"".join(chunks), charset=message.get_content_charset(), redirects=hops)


def _reason(error: Exception) -> str:
    """The innermost, most telling reason of a network error, without urllib3's object addresses."""
    while error.__context__ is not None and isinstance(error, HTTPError):
        error = error.__context__
    text = getattr(error, "strerror", None) or str(error)
    return text.split(": ", 1)[-1] if "object at 0x" in text else text
