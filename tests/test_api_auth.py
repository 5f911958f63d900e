"""Tokens for scripts (hashed, expiring, revocable), throttling, and the OpenAPI schema and docs."""

import datetime
import logging
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.api import ids
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def issue_token(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("issue_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


class TestTokens:
    def test_it_issues_a_token_that_is_printed_once_and_stored_hashed(self, reviewer):
        token, notice = issue_token("rex")
        stored = AuthToken.objects.get(user=reviewer)
        assert token not in (stored.digest, stored.token_key)
        assert stored.token_key in notice
        assert token not in notice
        assert stored.expiry - stored.created > datetime.timedelta(days=89)

    def test_a_script_with_a_token_acts_as_its_user(self, reviewer):
        draft = ClaimFactory()
        token, _ = issue_token("rex")
        assert ids(with_token(token).get("/api/v1/claims/")) == {draft.pk}
        response = with_token(token).post("/api/v1/topics/", {"name": "Budget", "slug": "budget"}, format="json")
        assert response.status_code == 201

    def test_a_revoked_token_no_longer_works(self, reviewer):
        token, _ = issue_token("rex")
        kept, _ = issue_token("rex")
        out = StringIO()
        call_command("revoke_token", "rex", "--key", token[:15], stdout=out)
        assert out.getvalue().strip() == "Revoked 1 token of rex."
        assert with_token(token).get("/api/v1/claims/").status_code == 401
        assert with_token(kept).get("/api/v1/claims/").status_code == 200
        call_command("revoke_token", "rex", stdout=StringIO())
        assert with_token(kept).get("/api/v1/claims/").status_code == 401

    def test_an_expired_token_no_longer_works(self, reviewer):
        token, _ = issue_token("rex", "--days", "1")
        AuthToken.objects.filter(user=reviewer).update(expiry=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        response = with_token(token).get("/api/v1/claims/")
        assert response.status_code == 401
        assert response.json()["detail"] == "Invalid token."

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["nobody"], "There is no active user 'nobody'."),
            (["rex", "--days", "0"], "--days must be at least 1, not 0."),
        ],
    )
    def test_issue_token_refuses_bad_arguments(self, reviewer, args, message):
        with pytest.raises(CommandError, match=message):
            issue_token(*args)
        assert not AuthToken.objects.exists()

    def test_issue_token_refuses_an_inactive_user(self, reviewer):
        reviewer.is_active = False
        reviewer.save()
        with pytest.raises(CommandError, match=r"^There is no active user 'rex'\.$"):
            issue_token("rex")
        assert not AuthToken.objects.exists()

    def test_revoke_token_refuses_an_unknown_key(self, reviewer):
        issue_token("rex")
        with pytest.raises(CommandError, match="rex has no token with key 'nope'"):
            call_command("revoke_token", "rex", "--key", "nope")
        assert AuthToken.objects.count() == 1

    def test_revoke_token_refuses_an_unknown_user(self, reviewer):
        issue_token("rex")
        with pytest.raises(CommandError, match=r"^There is no user 'nobody'\.$"):
            call_command("revoke_token", "nobody")
        assert AuthToken.objects.count() == 1


class TestThrottling:
    def test_callers_over_the_rate_are_slowed_down_with_a_json_answer(self, monkeypatch):
        # DRF reads the rates once, at import; the suite runs with rates too high to be reached.
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "100/minute"})
        cache.clear()
        statuses = [APIClient().get("/api/v1/ratings/").status_code for _ in range(3)]
        response = APIClient().get("/api/v1/ratings/")
        cache.clear()
        assert statuses == [200, 200, 429]
        assert response.json()["errors"][0]["code"] == "throttled"
        assert "Retry-After" in response

    def test_readers_of_the_public_pages_over_their_rate_get_a_page_saying_when_to_come_back(self, monkeypatch, editor):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"pages": "2/minute", "report": "1/minute"})
        cache.clear()
        pages = [Client().get(path).status_code for path in ("/factchecks/", "/methodology/", "/factchecks/")]
        reports = [Client().get("/reports/verdicts/").status_code for _ in range(2)]
        throttled = Client().get("/methodology/")
        staff = Client()
        staff.force_login(editor)  # counted by user, not with the address it shares
        signed_in = staff.get("/methodology/")
        cache.clear()
        assert (pages, reports) == ([200, 200, 429], [200, 429])
        assert throttled.status_code == 429
        assert "Too many requests" in throttled.content.decode()
        assert 0 < int(throttled["Retry-After"]) <= 60
        assert signed_in.status_code == 200

    def test_while_the_cache_does_not_answer_requests_are_served_unthrottled_and_it_is_logged(
        self, monkeypatch, settings, caplog
    ):
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
        }
        rates = {"anon": "1/minute", "user": "1/minute", "pages": "1/minute", "report": "1/minute"}
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
        with caplog.at_level(logging.ERROR, logger="claims.throttling"):
            api = [APIClient().get("/api/v1/ratings/").status_code for _ in range(3)]
            pages = [Client().get("/methodology/").status_code for _ in range(3)]
        assert (api, pages) == ([200] * 3, [200] * 3)
        assert len(caplog.records) == 3 * 2 + 3  # the API's two throttles (anonymous, user) and the pages' one
        assert "the cache that keeps the counts does not answer" in caplog.records[0].getMessage()


class TestDocumentation:
    def test_the_schema_describes_every_resource_and_the_token_scheme(self):
        schema = APIClient().get("/api/schema/?format=json").json()
        for resource in ["claims", "verdicts", "evidence", "speakers", "sources", "ratings", "topics"]:
            assert f"/api/v1/{resource}/" in schema["paths"]
        assert "/api/v1/verdicts/{id}/publish/" in schema["paths"]
        assert "knoxApiToken" in schema["components"]["securitySchemes"]
        parameters = {p["name"] for p in schema["paths"]["/api/v1/claims/"]["get"]["parameters"]}
        assert {"q", "speaker", "rating", "topic", "published_after", "cursor", "page_size", "ordering"} <= parameters

    def test_the_docs_page_loads_nothing_from_a_cdn(self):
        response = APIClient().get("/api/docs/")
        assert response.status_code == 200
        page = response.content.decode()
        assert "swagger-ui" in page
        assert "cdn" not in page.lower()
        assert "/static/drf_spectacular_sidecar/" in page


class TestBrowsableApi:
    @pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/claims/", "/api/v1/verdicts/", "/api/v1/evidence/"])
    def test_a_logged_in_editor_browses_the_api_in_html(self, client, editor, newsroom, path):
        client.force_login(editor)
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert b"Django REST framework" in response.content

    def test_a_record_s_page_offers_its_edit_form(self, client, editor, newsroom):
        client.force_login(editor)
        response = client.get(f"/api/v1/claims/{newsroom['triage'].pk}/", HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert b"Internal note" in response.content

    def test_the_login_page_for_the_browsable_api_is_served(self, client):
        assert client.get("/api/auth/login/").status_code == 200
