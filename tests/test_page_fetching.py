"""Fetching pages safely (``claims.intake.pages``): against a real HTTP server on 127.0.0.1, never the network.

No test sends anything to a refused address: the address is checked before any connection is made, which is
what these tests show (a refused fetch raises before the server or anything else is asked).
"""

import contextlib
import gzip
import ipaddress
import shutil
import socket
import subprocess
import time

import pytest

from claims.intake.pages import (
    FetchPolicy,
    FetchTimeout,
    ForbiddenAddress,
    HttpStatusError,
    NotHtml,
    PageTooLarge,
    TooManyRedirects,
    Unreachable,
    UnsupportedUrl,
    address_problem,
    fetch_page,
)
from tests.page_server import Answer, PageServer, article_page

# What the tests' server is allowed as: its own address, and only that.
LOCAL = FetchPolicy.allowing(["127.0.0.1"], connect_timeout=1, read_timeout=1, total_timeout=3)


def local(**limits) -> FetchPolicy:
    return FetchPolicy.allowing(
        ["127.0.0.1"], **{"connect_timeout": 1, "read_timeout": 1, "total_timeout": 3, **limits}
    )


def resolving(table: dict[str, list[str]]):
    """A resolver answering from ``table``, as DNS would, for names the tests make up."""

    def resolve(host: str, port: int) -> list[str]:
        with contextlib.suppress(ValueError):
            return [str(ipaddress.ip_address(host))]  # an address stands for itself, as with getaddrinfo
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


class TestRefusedAddresses:
    @pytest.mark.parametrize(
        ("url", "kind"),
        [
            ("http://127.0.0.1/", "a loopback address"),
            ("http://127.8.9.10:8080/", "a loopback address"),
            ("http://10.0.0.1/", "a private address"),
            ("http://10.255.255.254/news", "a private address"),
            ("http://172.16.0.1/", "a private address"),
            ("http://172.31.255.1/", "a private address"),
            ("http://192.168.1.1/", "a private address"),
            ("http://169.254.169.254/latest/meta-data/", "a cloud metadata service's address"),
            ("http://169.254.1.1/", "a link-local address"),
            ("http://100.64.0.1/", "an address that is not public"),
            ("http://[::1]/", "a loopback address"),
            ("http://[fc00::1]/", "a private address"),
            ("http://[fd12:3456::1]:8000/", "a private address"),
            ("http://[fe80::1]/", "a link-local address"),
            ("http://[fd00:ec2::254]/", "a cloud metadata service's address"),
            ("http://0.0.0.0/", "the unspecified address"),
            ("http://[::]/", "the unspecified address"),
            ("http://224.0.0.1/", "a multicast address"),
            ("http://240.0.0.1/", "a reserved address"),
            ("http://[::ffff:127.0.0.1]/", "a loopback address"),
            ("http://[::ffff:10.0.0.1]/", "a private address"),
            ("http://[64:ff9b::a00:1]/", "a private address"),  # NAT64 of 10.0.0.1
            ("http://2130706433/", "a loopback address"),  # 127.0.0.1 written as one number
            ("http://0x7f.1/", "a loopback address"),
        ],
    )
    def test_each_non_public_address_is_refused_before_connecting(self, url, kind):
        with pytest.raises(ForbiddenAddress) as refused:
            fetch_page(url)
        assert kind in str(refused.value)
        assert "pages are fetched only from public addresses" in str(refused.value)

    def test_a_host_name_is_checked_after_resolving_it(self):
        policy = FetchPolicy(resolver=resolving({"intranet.example": ["192.168.10.5"]}))
        with pytest.raises(ForbiddenAddress, match=r"intranet\.example/ is at 192\.168\.10\.5, a private address"):
            fetch_page("http://intranet.example/", policy)

    def test_localhost_is_refused_as_what_it_resolves_to(self):
        with pytest.raises(ForbiddenAddress, match="a loopback address"):
            fetch_page("http://localhost:8000/")

    def test_one_refused_address_among_those_a_name_resolves_to_refuses_it(self, page_server):
        page_server.serve("/a", article_page())
        policy = local(resolver=resolving({"mixed.example": ["127.0.0.1", "10.0.0.7"]}))
        with pytest.raises(ForbiddenAddress, match=r"10\.0\.0\.7, a private address"):
            fetch_page(f"http://mixed.example:{page_server.port}/a", policy)
        assert page_server.requests == []

    def test_allowing_private_addresses_never_allows_the_metadata_service_or_unspecified_ones(self):
        everything = FetchPolicy(allow_private=True)
        for url in ("http://169.254.169.254/latest/", "http://0.0.0.0:8000/", "http://[fd00:ec2::254]/"):
            with pytest.raises(ForbiddenAddress):
                fetch_page(url, everything)

    def test_allowed_networks_allow_those_and_no_others(self):
        policy = FetchPolicy.allowing(["10.1.0.0/16"])
        assert address_problem(ipaddress.ip_address("10.1.2.3"), policy.allow_private) is None
        assert address_problem(ipaddress.ip_address("10.2.0.1"), policy.allow_private) == "a private address"
        assert address_problem(ipaddress.ip_address("93.184.216.34")) is None


class TestRefusedUrls:
    @pytest.mark.parametrize(
        ("url", "said"),
        [
            ("ftp://example.com/article", "uses the ftp: scheme"),
            ("file:///etc/passwd", "uses the file: scheme"),
            ("javascript:alert(1)", "uses the javascript: scheme"),
            ("gopher://example.com/", "uses the gopher: scheme"),
            ("example.com/article", "is not an absolute address"),
            ("http:///article", "names no host"),
            ("https://user:secret@example.com/", "carries a user name or password"),
            ("http://example.com:99999/", "is not a valid address"),
        ],
    )
    def test_what_is_not_an_http_address_is_refused_without_a_look_up(self, url, said):
        def no_look_up(host, port):
            raise AssertionError("no DNS look-up for a refused URL")

        with pytest.raises(UnsupportedUrl, match=said):
            fetch_page(url, FetchPolicy(resolver=no_look_up))


class TestFetching:
    def test_it_fetches_an_html_page_with_its_charset(self, page_server):
        url = page_server.serve("/article", Answer(article_page(), content_type="text/html; charset=ISO-8859-1"))
        page = fetch_page(url, LOCAL)
        assert (page.url, page.charset, page.redirects) == (url, "iso-8859-1", ())
        assert b"Council doubles the city" in page.content

    def test_it_decompresses_gzip_and_accepts_xhtml(self, page_server):
        url = page_server.serve("/x", Answer(article_page(), gzip=True, content_type="application/xhtml+xml"))
        assert b"<h1>Council doubles" in fetch_page(url, LOCAL).content

    def test_it_connects_to_the_address_it_checked_without_looking_the_name_up_again(self, page_server):
        """DNS rebinding: a name answering an allowed address to the check and another one later gains nothing."""
        page_server.serve("/a", article_page())
        answers = iter([["127.0.0.1"], ["10.0.0.1"]])
        looked_up = []

        def rebinding(host, port):
            looked_up.append(host)
            return next(answers)

        page = fetch_page(f"http://news.example:{page_server.port}/a", local(resolver=rebinding))
        assert b"Council doubles" in page.content
        assert looked_up == ["news.example"]
        # The server was reached at the checked address, and asked for the page by its name.
        assert [(asked.path, asked.host) for asked in page_server.requests] == [
            ("/a", f"news.example:{page_server.port}")
        ]

    def test_it_follows_redirects_checking_each_hop(self, page_server):
        page_server.serve("/final", article_page())
        page_server.redirect("/second", page_server.url("/final"), status=301)
        first = page_server.redirect("/first", "/second")
        page = fetch_page(first, LOCAL)
        assert page.url == page_server.url("/final")
        assert page.redirects == (page_server.url("/second"), page_server.url("/final"))

    @pytest.mark.parametrize(
        "target",
        [
            "http://10.0.0.1/internal",
            "http://192.168.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://127.0.0.2/",  # loopback, but not the address this policy allows
            "http://intranet.example/",
        ],
    )
    def test_a_redirect_from_an_allowed_server_to_a_refused_address_is_refused(self, page_server, target):
        url = page_server.redirect("/go", target)
        policy = local(resolver=resolving({"intranet.example": ["172.20.0.3"]}))
        with pytest.raises(ForbiddenAddress, match=r"The page was redirected to .* which is at"):
            fetch_page(url, policy)
        assert [asked.path for asked in page_server.requests] == ["/go"]

    def test_a_redirect_to_another_scheme_is_refused(self, page_server):
        url = page_server.redirect("/go", "file:///etc/passwd")
        with pytest.raises(UnsupportedUrl, match="uses the file: scheme"):
            fetch_page(url, LOCAL)

    def test_too_many_redirects(self, page_server):
        for hop in range(4):
            page_server.redirect(f"/hop{hop}", f"/hop{hop + 1}")
        page_server.serve("/hop4", article_page())
        assert fetch_page(page_server.url("/hop0"), local(max_redirects=4)).url == page_server.url("/hop4")
        with pytest.raises(TooManyRedirects, match="redirected more than 3 times"):
            fetch_page(page_server.url("/hop0"), local(max_redirects=3))
        page_server.redirect("/loop", "/loop")
        with pytest.raises(TooManyRedirects, match="redirected more than 5 times"):
            fetch_page(page_server.url("/loop"), LOCAL)
        assert sum(asked.path == "/loop" for asked in page_server.requests) == 6

    def test_a_server_that_does_not_answer_times_out(self, page_server):
        url = page_server.serve("/slow", Answer(article_page(), delay=5))
        started = time.monotonic()
        with pytest.raises(FetchTimeout, match=r"did not answer within 0\.5 seconds"):
            fetch_page(url, local(read_timeout=0.5))
        assert time.monotonic() - started < 2

    def test_a_server_sending_a_byte_at_a_time_meets_the_deadline_of_the_whole_fetch(self, page_server):
        url = page_server.serve("/drip", Answer(article_page(), drip=0.05))
        started = time.monotonic()
        with pytest.raises(FetchTimeout, match="took longer than 1 seconds"):
            fetch_page(url, local(total_timeout=1))
        assert time.monotonic() - started < 2.5

    def test_a_page_declared_too_large_is_not_read(self, page_server):
        url = page_server.serve("/big", "x" * 5000)
        with pytest.raises(PageTooLarge, match="is 5,000 bytes; pages over 4,096 bytes are not read"):
            fetch_page(url, local(max_bytes=4096))

    def test_a_page_growing_past_the_limit_is_cut_off(self, page_server):
        url = page_server.serve("/stream", Answer("<p>" + "word " * 100_000, content_length=False))
        with pytest.raises(PageTooLarge, match="larger than 65,536 bytes"):
            fetch_page(url, local(max_bytes=65_536))

    def test_the_limit_counts_what_a_compressed_page_decompresses_to(self, page_server):
        url = page_server.serve("/bomb", Answer(b"<html>" + b" " * 20_000_000, gzip=True))
        assert len(gzip.compress(b" " * 20_000_000)) < 65_536
        with pytest.raises(PageTooLarge, match="larger than 1,048,576 bytes"):
            fetch_page(url, local(max_bytes=1_048_576))

    @pytest.mark.parametrize(
        ("content_type", "said"),
        [
            ("application/pdf", "is application/pdf, not an HTML page"),
            ("application/json", "is application/json, not an HTML page"),
            ("image/png", "is image/png, not an HTML page"),
            (None, "has no Content-Type, not an HTML page"),
        ],
    )
    def test_only_html_is_read(self, page_server, content_type, said):
        url = page_server.serve("/file", Answer(b"%PDF-1.7", content_type=content_type))
        with pytest.raises(NotHtml, match=said):
            fetch_page(url, LOCAL)

    @pytest.mark.parametrize(("status", "said"), [(404, "404 Not Found"), (500, "500 Internal Server Error")])
    def test_an_error_status_is_an_error(self, page_server, status, said):
        url = page_server.serve("/gone", Answer("<p>Gone</p>", status=status))
        with pytest.raises(HttpStatusError, match=said):
            fetch_page(url, LOCAL)

    def test_a_redirect_without_a_location_is_an_error(self, page_server):
        url = page_server.serve("/nowhere", Answer(status=302, content_type=None))
        with pytest.raises(HttpStatusError, match="answered 302 without saying where to go"):
            fetch_page(url, LOCAL)

    def test_a_closed_port_and_an_unknown_host_are_unreachable(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with pytest.raises(Unreachable, match="could not be reached"):
            fetch_page(f"http://127.0.0.1:{port}/", LOCAL)
        with pytest.raises(Unreachable, match=r"The host nowhere\.example of .* was not found"):
            fetch_page("http://nowhere.example/", local(resolver=resolving({})))


def certificate(folder, name: str) -> tuple[str, str]:
    """A self-signed certificate for ``name`` and its key, made with openssl."""
    cert, key = str(folder / f"{name}.pem"), str(folder / f"{name}.key")
    request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", key, "-out", cert]
    subprocess.run(
        [*request, "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test certificates; it is not installed")
class TestHttps:
    def test_tls_checks_the_certificate_against_the_name_while_connecting_to_the_checked_address(self, tmp_path):
        cert, key = certificate(tmp_path, "news.example")
        policy = local(resolver=resolving({"news.example": ["127.0.0.1"]}), ca_certs=cert)
        with PageServer(tls=(cert, key)) as server:
            server.serve("/a", article_page())
            page = fetch_page(f"https://news.example:{server.port}/a", policy)
            assert b"Council doubles" in page.content
            assert server.requests[0].host == f"news.example:{server.port}"

    def test_a_certificate_for_another_name_or_from_an_unknown_authority_is_refused(self, tmp_path):
        cert, key = certificate(tmp_path, "other.example")
        names = resolving({"news.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
        with PageServer(tls=(cert, key)) as server:
            server.serve("/a", article_page())
            with pytest.raises(Unreachable, match="could not be reached"):
                fetch_page(f"https://news.example:{server.port}/a", local(resolver=names, ca_certs=cert))
            with pytest.raises(Unreachable, match="certificate verify failed"):
                fetch_page(f"https://other.example:{server.port}/a", local(resolver=names))
            assert server.requests == []
