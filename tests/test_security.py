"""Secure by default: headers on every answer, secure cookies, short staff sessions, private API answers,
lock-outs after failed logins (per username and per address), and API tokens that their owner lists and
revokes. The Content-Security-Policy is proven in Chromium by test_browser.py."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
TOKEN_LOGIN = "/api/v1/auth/token/"


def admin_login(client: Client, username: str, password: str, address: str = "192.0.2.10", **headers):
    form = {"username": username, "password": password}
    return client.post("/admin/login/?next=/admin/", form, REMOTE_ADDR=address, **headers)


def token_login(username: str, password: str, address: str = "192.0.2.10"):
    return APIClient().post(TOKEN_LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


class TestHeaders:
    @pytest.mark.parametrize(
        "path", ["/admin/login/", "/api/v1/claims/", "/factchecks/", "/reports/verdicts/", "/healthz", "/readyz"]
    )
    def test_every_kind_of_page_carries_the_security_headers(self, path):
        response = Client().get(path, secure=True)
        assert response.status_code == 200
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        policy = dict(directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";"))
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"

    def test_a_plain_http_request_is_sent_to_https(self, settings):
        settings.SECURE_SSL_REDIRECT = True
        response = Client().get("/factchecks/")
        assert response.status_code == 301
        assert response["Location"] == "https://testserver/factchecks/"

    @pytest.mark.parametrize("path", ["/healthz", "/readyz"])
    def test_health_checks_answer_over_plain_http_with_the_headers_that_apply_there(self, settings, path):
        settings.SECURE_SSL_REDIRECT = True
        response = Client().get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert "Content-Security-Policy" in response
        assert "Strict-Transport-Security" not in response  # browsers ignore it over plain HTTP

    def test_a_staff_session_lasts_eight_hours_by_default(self, editor):
        client = Client()
        response = admin_login(client, "edna", PASSWORD)
        assert response.status_code == 302
        assert response.cookies["sessionid"]["max-age"] == 8 * 60 * 60
        assert client.session.get_expiry_age() == 8 * 60 * 60


class TestApiCaching:
    """Answers made for a user are kept out of shared caches; every answer says it depends on Authorization."""

    def test_an_answer_to_a_token_is_private_and_varies_on_authorization(self, reviewer):
        token = token_login("rex", PASSWORD).json()["token"]
        response = with_token(token).get("/api/v1/claims/")
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "Authorization" in response["Vary"]

    def test_an_answer_to_a_session_is_private_too(self, client, editor):
        client.force_login(editor)
        response = client.get("/api/v1/claims/")
        assert "private" in response["Cache-Control"]
        assert "Authorization" in response["Vary"]

    def test_an_anonymous_answer_may_be_cached_but_varies_on_authorization(self):
        response = APIClient().get("/api/v1/ratings/")
        assert response.status_code == 200
        assert "private" not in response.get("Cache-Control", "")
        assert "Authorization" in response["Vary"]

    def test_an_error_to_a_user_is_private_as_well(self, reviewer):
        token = token_login("rex", PASSWORD).json()["token"]
        response = with_token(token).get("/api/v1/claims/0/")
        assert response.status_code == 404
        assert "private" in response["Cache-Control"]

    def test_session_and_csrf_cookies_are_secure_and_the_session_cookie_is_out_of_scripts_reach(self, editor):
        client = Client(enforce_csrf_checks=True)
        client.get("/admin/login/", secure=True)
        csrf = client.cookies["csrftoken"]
        assert csrf["secure"]
        assert csrf["samesite"] == "Lax"
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": "edna", "password": PASSWORD, "csrfmiddlewaretoken": csrf.value},
            secure=True,
            HTTP_REFERER="https://testserver/admin/login/",
        )
        assert response.status_code == 302
        session = response.cookies["sessionid"]
        assert session["secure"]
        assert session["httponly"]
        assert session["samesite"] == "Lax"


class TestAdminLockout:
    def test_the_admin_locks_a_username_out_after_five_failures_even_with_the_right_password(self, editor):
        client = Client()
        for _ in range(4):
            assert admin_login(client, "edna", "wrong").status_code == 200  # the form again, with its error
        locked = admin_login(client, "edna", "wrong")
        assert locked.status_code == 429
        assert "Too many failed logins" in locked.content.decode()
        assert locked["Retry-After"] == "900"
        assert admin_login(client, "edna", PASSWORD).status_code == 429
        assert "_auth_user_id" not in client.session

    def test_a_lockout_holds_one_address_only_and_ends_after_the_cool_off(self, editor, settings):
        for _ in range(5):
            admin_login(Client(), "edna", "wrong", address="192.0.2.66")
        assert admin_login(Client(), "edna", PASSWORD, address="198.51.100.7").status_code == 302
        AccessAttempt.objects.update(attempt_time=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        assert admin_login(Client(), "edna", PASSWORD, address="192.0.2.66").status_code == 302

    def test_a_successful_login_clears_the_count_of_failures(self, editor):
        for _ in range(4):
            admin_login(Client(), "edna", "wrong")
        assert admin_login(Client(), "edna", PASSWORD).status_code == 302
        for _ in range(4):
            admin_login(Client(), "edna", "wrong")
        assert admin_login(Client(), "edna", PASSWORD).status_code == 302


class TestAddressLockout:
    """Guessing across many usernames from one address locks the address, for every username, and only it."""

    def test_an_address_that_fails_with_many_usernames_is_locked_for_all_of_them(self, editor):
        for number in range(19):
            assert admin_login(Client(), f"guess{number}", "wrong").status_code == 200
        assert admin_login(Client(), "edna", PASSWORD).status_code == 302  # 19 failures: not yet
        for number in range(20):
            admin_login(Client(), f"guess{number}", "wrong")
        locked = admin_login(Client(), "edna", PASSWORD)
        assert locked.status_code == 429
        assert "Too many failed logins for your address" in locked.content.decode()
        assert admin_login(Client(), "edna", PASSWORD, address="198.51.100.7").status_code == 302
        assert token_login("edna", PASSWORD).json()["errors"][0]["code"] == "locked_out"

    def test_the_address_limit_is_a_setting(self, editor, settings):
        settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
        for number in range(6):
            admin_login(Client(), f"guess{number}", "wrong")
        assert admin_login(Client(), "edna", PASSWORD).status_code == 429

    def test_sending_x_forwarded_for_does_not_escape_a_lockout(self, editor):
        for number in range(5):
            admin_login(Client(), "edna", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
        assert admin_login(Client(), "edna", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429

    def test_behind_a_proxy_the_address_it_forwards_is_the_one_locked(self, editor, settings):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        proxy = "10.0.0.2"
        for _ in range(5):
            admin_login(Client(), "edna", "wrong", address=proxy, HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.5")
        assert (
            admin_login(Client(), "edna", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code
            == 429
        )
        assert (
            admin_login(Client(), "edna", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code
            == 302
        )


class TestTokenLogin:
    def test_a_username_and_password_get_a_token_that_works_and_expires_with_the_configured_lifetime(self, reviewer):
        response = token_login("rex", PASSWORD)
        assert response.status_code == 200
        body = response.json()
        stored = AuthToken.objects.get(user=reviewer)
        assert body["key"] == stored.token_key
        assert body["token"].startswith(stored.token_key)
        assert stored.expiry - stored.created > datetime.timedelta(days=89)
        draft = ClaimFactory()
        assert [claim["id"] for claim in with_token(body["token"]).get("/api/v1/claims/").json()["results"]] == [
            draft.pk
        ]

    @pytest.mark.parametrize(
        ("credentials", "field"),
        [({"username": "rex", "password": "wrong"}, "password"), ({"username": "rex"}, "password")],
    )
    def test_wrong_or_missing_credentials_are_refused_and_issue_nothing(self, reviewer, credentials, field):
        response = APIClient().post(TOKEN_LOGIN, credentials)
        assert response.status_code == 400
        assert [error["field"] for error in response.json()["errors"]] == [field]
        assert not AuthToken.objects.exists()

    def test_an_inactive_user_gets_no_token(self, reviewer):
        reviewer.is_active = False
        reviewer.save()
        assert token_login("rex", PASSWORD).status_code == 400
        assert not AuthToken.objects.exists()

    def test_the_token_endpoint_locks_out_like_the_admin_and_says_so_in_json(self, reviewer):
        for _ in range(4):
            assert token_login("rex", "wrong").status_code == 400
        locked = token_login("rex", "wrong")
        assert locked.status_code == 429
        assert locked["Retry-After"] == "900"
        assert locked.json()["errors"][0]["code"] == "locked_out"
        assert token_login("rex", PASSWORD).status_code == 429
        assert not AuthToken.objects.exists()

    def test_failures_at_the_admin_and_the_token_endpoint_add_up(self, reviewer):
        for _ in range(3):
            admin_login(Client(), "rex", "wrong")
        for _ in range(2):
            token_login("rex", "wrong")
        assert token_login("rex", PASSWORD).status_code == 429


class TestTokenList:
    def test_a_user_lists_their_own_live_tokens_with_the_one_in_use_marked(
        self, reviewer, researcher, django_assert_num_queries
    ):
        first = token_login("rex", PASSWORD).json()
        second = token_login("rex", PASSWORD).json()
        expired = token_login("rex", PASSWORD).json()
        AuthToken.objects.filter(token_key=expired["key"]).update(
            expiry=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        )
        token_login("rita", PASSWORD)
        client = with_token(first["token"])
        client.get("/api/v1/auth/tokens/")  # knox deletes the user's expired tokens as it authenticates
        with django_assert_num_queries(3):  # the token with its user, knox's look for expired ones, the list
            response = client.get("/api/v1/auth/tokens/")
        assert response.status_code == 200
        listed = {token["key"]: token["current"] for token in response.json()}
        assert listed == {first["key"]: True, second["key"]: False}

    def test_listing_needs_a_user(self):
        assert APIClient().get("/api/v1/auth/tokens/").status_code == 401


class TestTokenRevocation:
    def test_a_revoked_token_stops_working_at_once_and_the_others_go_on(self, reviewer):
        kept = token_login("rex", PASSWORD).json()
        revoked = token_login("rex", PASSWORD).json()
        response = with_token(kept["token"]).delete(f"/api/v1/auth/tokens/{revoked['key']}/")
        assert response.status_code == 204
        assert with_token(revoked["token"]).get("/api/v1/auth/tokens/").status_code == 401
        assert with_token(kept["token"]).get("/api/v1/auth/tokens/").status_code == 200

    def test_a_token_can_revoke_itself(self, reviewer):
        token = token_login("rex", PASSWORD).json()
        client = with_token(token["token"])
        assert client.delete(f"/api/v1/auth/tokens/{token['key']}/").status_code == 204
        assert client.get("/api/v1/auth/tokens/").status_code == 401

    def test_nobody_revokes_another_users_token(self, reviewer, researcher):
        theirs = token_login("rita", PASSWORD).json()
        mine = token_login("rex", PASSWORD).json()
        assert with_token(mine["token"]).delete(f"/api/v1/auth/tokens/{theirs['key']}/").status_code == 404
        assert with_token(theirs["token"]).get("/api/v1/auth/tokens/").status_code == 200
