"""Writes through the API: no lost updates, bad input refused with the field named, workflow moves."""

import pytest
from django.test import override_settings

from claims.models import Claim, Source, Verdict
from tests.api import client_for, error_fields, row_counts
from tests.factories import ClaimFactory, SourceFactory, UserFactory, VerdictFactory, rating

pytestmark = pytest.mark.django_db


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.json(), response["ETag"]


class TestNoLostUpdates:
    def test_the_second_of_two_reviewers_editing_a_verdict_gets_412_and_changes_nothing(self, editor):
        draft = VerdictFactory(headline="First headline")
        url = f"/api/v1/verdicts/{draft.pk}/"
        author, other_editor = client_for(draft.author), client_for(editor)
        _, author_etag = read(author, url)
        _, editor_etag = read(other_editor, url)
        assert author_etag == editor_etag

        first = author.patch(url, {"headline": "Author's headline"}, HTTP_IF_MATCH=author_etag)
        assert first.status_code == 200, first.content
        assert first["ETag"] != author_etag
        second = other_editor.patch(url, {"headline": "Editor's headline"}, HTTP_IF_MATCH=editor_etag)
        assert second.status_code == 412
        assert error_fields(second) == {None}
        stored = Verdict.objects.get(pk=draft.pk)
        assert (stored.headline, stored.version) == ("Author's headline", 2)

    def test_an_update_without_if_match_is_refused_with_428(self, reviewer):
        claim = ClaimFactory(text="Original text.")
        response = client_for(reviewer).patch(f"/api/v1/claims/{claim.pk}/", {"text": "Changed."})
        assert response.status_code == 428
        assert Claim.objects.get(pk=claim.pk).text == "Original text."

    def test_a_put_with_the_current_etag_replaces_the_record(self, reviewer):
        source = SourceFactory(title="Old title")
        url = f"/api/v1/sources/{source.pk}/"
        body, etag = read(client_for(reviewer), url)
        body["title"] = "New title"
        response = client_for(reviewer).put(url, body, HTTP_IF_MATCH=etag)
        assert response.status_code == 200, response.content
        assert Source.objects.get(pk=source.pk).title == "New title"

    def test_if_none_match_answers_304_while_the_record_is_unchanged(self, reviewer):
        claim = ClaimFactory()
        _, etag = read(client_for(reviewer), f"/api/v1/claims/{claim.pk}/")
        response = client_for(reviewer).get(f"/api/v1/claims/{claim.pk}/", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304

    def test_a_stale_if_match_on_a_workflow_move_is_refused(self, reviewer):
        draft = VerdictFactory(author=reviewer, claim__assignee=reviewer)
        url = f"/api/v1/verdicts/{draft.pk}/"
        _, etag = read(client_for(reviewer), url)
        client_for(reviewer).patch(url, {"summary": "Changed meanwhile."}, HTTP_IF_MATCH=etag)
        response = client_for(reviewer).post(f"{url}submit/", HTTP_IF_MATCH=etag)
        assert response.status_code == 412
        assert Verdict.objects.get(pk=draft.pk).status == Verdict.Status.DRAFT

    def test_only_drafts_are_edited(self, editor):
        published = VerdictFactory(published=True)
        url = f"/api/v1/verdicts/{published.pk}/"
        _, etag = read(client_for(editor), url)
        response = client_for(editor).patch(url, {"headline": "Rewritten"}, HTTP_IF_MATCH=etag)
        assert response.status_code == 403
        assert "only drafts are edited" in response.json()["detail"]
        assert Verdict.objects.get(pk=published.pk).headline == "The figure is wrong"

    def test_what_a_published_claim_was_checked_for_cannot_change(self, editor):
        claim = VerdictFactory(published=True).claim
        url = f"/api/v1/claims/{claim.pk}/"
        _, etag = read(client_for(editor), url)
        response = client_for(editor).patch(url, {"text": "Something else.", "notes": "ok"}, HTTP_IF_MATCH=etag)
        assert response.status_code == 400
        assert error_fields(response) == {"text"}
        assert Claim.objects.get(pk=claim.pk).text == claim.text

    def test_a_draft_stays_on_the_claim_it_was_drafted_for(self, reviewer):
        draft = VerdictFactory(claim=ClaimFactory(assigned=True, assignee=reviewer), author=reviewer)
        url = f"/api/v1/verdicts/{draft.pk}/"
        _, etag = read(client_for(reviewer), url)
        other = ClaimFactory(assigned=True, assignee=reviewer)
        response = client_for(reviewer).patch(url, {"claim": other.pk}, HTTP_IF_MATCH=etag)
        assert response.status_code == 400
        assert error_fields(response) == {"claim"}
        assert Verdict.objects.get(pk=draft.pk).claim_id == draft.claim_id


class TestBadInput:
    @pytest.fixture
    def source(self):
        return SourceFactory(published_on="2024-03-02")

    def claim_body(self, source, **changes):
        speaker = ClaimFactory(source=source).speaker
        return {
            "text": "Spending rose.",
            "speaker": speaker.pk,
            "source": source.pk,
            "claim_date": "2024-03-01",
        } | changes

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"claim_date": "2024-03-05"}, "claim_date"),
            ({"claim_date": "not a date"}, "claim_date"),
            ({"speaker": "one"}, "speaker"),
            ({"speaker": 999999}, "speaker"),
            ({"topics": [999999]}, "topics"),
            ({"text": ""}, "text"),
            ({"text": ["a list"]}, "text"),
            ({"checkworthiness": 1.5}, "checkworthiness"),
            ({"is_verbatim": "perhaps"}, "is_verbatim"),
        ],
    )
    def test_a_bad_claim_is_refused_with_the_field_named(self, source, reviewer, changes, field):
        body = self.claim_body(source, **changes)
        before = row_counts()
        response = client_for(reviewer).post("/api/v1/claims/", body)
        assert response.status_code == 400, response.content
        assert field in error_fields(response)
        assert row_counts() == before

    @pytest.mark.parametrize("url", ["ftp://files.example/report.pdf", "javascript:alert(1)", "not a url"])
    def test_only_http_and_https_links_are_accepted(self, reviewer, url):
        before = row_counts()
        response = client_for(reviewer).post("/api/v1/sources/", {"title": "Report", "url": url})
        assert response.status_code == 400
        assert error_fields(response) == {"url"}
        assert row_counts() == before

    def test_an_unknown_rating_is_refused(self, reviewer):
        draft = VerdictFactory(author=reviewer, claim__assignee=reviewer)
        url = f"/api/v1/verdicts/{draft.pk}/"
        _, etag = read(client_for(reviewer), url)
        response = client_for(reviewer).patch(url, {"rating": 999999}, HTTP_IF_MATCH=etag)
        assert response.status_code == 400
        assert error_fields(response) == {"rating"}
        assert Verdict.objects.get(pk=draft.pk).rating == rating()

    def test_malformed_json_is_refused(self, reviewer):
        before = row_counts()
        response = client_for(reviewer).generic(
            "POST", "/api/v1/topics/", '{"name": "Budget", ', content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["detail"].startswith("JSON parse error")
        assert row_counts() == before

    def test_json_constants_that_are_not_numbers_are_refused(self, reviewer):
        claim = ClaimFactory()
        response = client_for(reviewer).generic(
            "POST",
            "/api/v1/evidence/",
            f'{{"claim": {claim.pk}, "title": "T", "excerpt": NaN}}',
            content_type="application/json",
        )
        assert response.status_code == 400

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_an_oversized_body_is_refused_with_413(self, reviewer):
        before = row_counts()
        response = client_for(reviewer).post("/api/v1/topics/", {"name": "x" * 2000, "slug": "x"})
        assert response.status_code == 413
        assert response.json()["errors"][0]["code"] == "payload_too_large"
        assert row_counts() == before

    def test_a_text_is_measured_as_sent_not_after_trimming(self, reviewer):
        response = client_for(reviewer).post("/api/v1/sources/", {"title": "\x1c" + "x" * 500})
        assert response.status_code == 400
        assert error_fields(response) == {"title"}

    def test_a_body_that_is_not_json_is_refused_with_415(self, reviewer):
        response = client_for(reviewer).post(
            "/api/v1/topics/", "name=x", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 415

    def test_a_duplicate_is_refused_by_the_constraint_named_for_the_field(self, reviewer):
        SourceFactory(url="https://news.example/a")
        response = client_for(reviewer).post("/api/v1/sources/", {"title": "Again", "url": "https://news.example/a"})
        assert response.status_code == 400
        assert response.json()["detail"] == "A source with this URL is already registered."

    def test_a_claim_or_source_recorded_before_is_refused_naming_what_makes_it_the_same(self, reviewer):
        claim = ClaimFactory()
        SourceFactory(url="", title="Budget speech", publisher="Wire")
        client, before = client_for(reviewer), row_counts()
        body = {"text": claim.text, "source": claim.source_id, "speaker": claim.speaker_id}
        response = client.post("/api/v1/claims/", body)
        assert response.status_code == 400
        assert response.json()["detail"] == "A claim with this text from this source is already recorded."
        assert error_fields(response) == {None}  # the record as a whole; the message names what makes it one
        response = client.post("/api/v1/sources/", {"title": "Budget speech", "publisher": "Wire"})
        assert response.status_code == 400
        assert response.json()["detail"] == "A source with this title and publisher and no URL is already registered."
        assert row_counts() == before

    def test_a_duplicate_recorded_between_the_check_and_the_write_is_refused_the_same_way(self, reviewer, monkeypatch):
        """As when another request records the same claim at the same moment (tests/test_concurrent_writers.py
        does it): the database refuses the copy, and the request answers 400 as its check would have."""
        claim = ClaimFactory()
        check = Claim.validate_constraints
        checks = []

        def too_early(instance, *args, **kwargs):
            checks.append(instance)
            if len(checks) > 1:  # the first check ran before the other request's claim was there
                check(instance, *args, **kwargs)

        monkeypatch.setattr(Claim, "validate_constraints", too_early)
        body = {"text": claim.text, "source": claim.source_id, "speaker": claim.speaker_id}
        response = client_for(reviewer).post("/api/v1/claims/", body)
        assert (response.status_code, len(checks)) == (400, 2)
        assert response.json()["detail"] == "A claim with this text from this source is already recorded."
        assert Claim.objects.count() == 1


class TestWorkflowMoves:
    def test_a_verdict_goes_from_draft_to_published_with_four_eyes(self, reviewer, editor, second_editor):
        claim = ClaimFactory(status=Claim.Status.CHECKWORTHY)
        assert client_for(reviewer).post(f"/api/v1/claims/{claim.pk}/assign/").json()["assignee"] == "rex"
        created = client_for(reviewer).post(
            "/api/v1/verdicts/",
            {"claim": claim.pk, "rating": rating("false").pk, "headline": "Wrong", "summary": "It fell."},
        )
        assert created.status_code == 201, created.content
        verdict_url = f"/api/v1/verdicts/{created.json()['id']}/"
        assert client_for(reviewer).post(f"{verdict_url}submit/").json()["status"] == "in_review"
        assert client_for(reviewer).post(f"{verdict_url}publish/").status_code == 403
        published = client_for(editor).post(f"{verdict_url}publish/")
        assert published.status_code == 200
        assert (published.json()["status"], published.json()["approved_by"]) == ("published", "edna")
        claim_now = client_for().get(f"/api/v1/claims/{claim.pk}/").json()
        assert claim_now["current_verdict"]["headline"] == "Wrong"

    def test_an_editor_cannot_publish_what_they_wrote(self, editor):
        verdict = VerdictFactory(in_review=True, author=editor, claim__assignee=editor)
        response = client_for(editor).post(f"/api/v1/verdicts/{verdict.pk}/publish/")
        assert response.status_code == 403
        assert "another editor must approve it" in response.json()["detail"]
        assert Verdict.objects.get(pk=verdict.pk).status == Verdict.Status.IN_REVIEW

    def test_an_illegal_move_is_a_conflict_naming_the_allowed_moves(self, editor):
        verdict = VerdictFactory()
        response = client_for(editor).post(f"/api/v1/verdicts/{verdict.pk}/publish/")
        assert response.status_code == 409
        assert response.json()["detail"] == (
            f"Cannot publish verdict {verdict.pk}: it is draft. Allowed from draft: submit for review."
        )

    def test_a_retraction_needs_a_reason(self, editor):
        verdict = VerdictFactory(published=True)
        response = client_for(editor).post(f"/api/v1/verdicts/{verdict.pk}/retract/", {"reason": " "})
        assert response.status_code == 400
        assert error_fields(response) == {"reason"}
        assert Verdict.objects.get(pk=verdict.pk).status == Verdict.Status.PUBLISHED
        retracted = client_for(editor).post(f"/api/v1/verdicts/{verdict.pk}/retract/", {"reason": "Wrong data."})
        assert retracted.json()["retraction_reason"] == "Wrong data."

    def test_a_correction_starts_a_new_draft_saying_why(self, reviewer):
        verdict = VerdictFactory(published=True)
        refused = client_for(reviewer).post(f"/api/v1/verdicts/{verdict.pk}/correct/")
        assert refused.status_code == 400
        assert error_fields(refused) == {"reason"}
        response = client_for(reviewer).post(f"/api/v1/verdicts/{verdict.pk}/correct/", {"reason": "Wrong year."})
        assert response.status_code == 201
        body = response.json()
        assert (body["corrects"], body["status"], body["change_note"]) == (verdict.pk, "draft", "Wrong year.")

    def test_claims_are_triaged_and_rejected_with_a_reason(self, editor, reviewer):
        claim = ClaimFactory()
        assert client_for(reviewer).post(f"/api/v1/claims/{claim.pk}/reject/", {"reason": "Opinion"}).status_code == 403
        response = client_for(editor).post(f"/api/v1/claims/{claim.pk}/reject/", {"reason": "Opinion"})
        assert (response.json()["status"], response.json()["rejection_reason"]) == ("rejected", "Opinion")
        assert client_for(editor).post(f"/api/v1/claims/{claim.pk}/mark-checkworthy/").json()["status"] == "checkworthy"

    def test_only_editors_assign_others(self, reviewer, editor):
        claim = ClaimFactory(status=Claim.Status.CHECKWORTHY)
        other = UserFactory(username="ruth", role="reviewer")
        response = client_for(reviewer).post(f"/api/v1/claims/{claim.pk}/assign/", {"assignee": "ruth"})
        assert response.status_code == 403
        assert client_for(editor).post(f"/api/v1/claims/{claim.pk}/assign/", {"assignee": "ruth"}).status_code == 200
        assert Claim.objects.get(pk=claim.pk).assignee == other
        unknown = client_for(editor).post(f"/api/v1/claims/{claim.pk}/assign/", {"assignee": "nobody"})
        assert (unknown.status_code, error_fields(unknown)) == (400, {"assignee"})
