"""Public fact-check pages, their index, and the ClaimReview embedded in them."""

import datetime
import json
import re

import jsonschema
import pytest
from django.conf import settings
from django.utils import timezone

from claims import workflow
from claims.models import Claim, Verdict
from claims.outputs.claimreview import load_schema
from tests.factories import EvidenceFactory, UserFactory, VerdictFactory

VALIDATOR = jsonschema.Draft202012Validator(load_schema())
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def page_of(verdict: Verdict) -> str:
    """The address of the verdict's fact-check: its claim's, whatever the version."""
    return f"/factchecks/{Claim.objects.get(pk=verdict.claim_id).slug}/"


def json_ld(response) -> list[dict]:
    return [json.loads(block) for block in JSON_LD.findall(response.content.decode())]


def retract(verdict: Verdict, reason: str = "The statistics office withdrew its figures.") -> Verdict:
    return workflow.verdict_retract(verdict=verdict, editor=UserFactory(role="editor"), reason=reason)


def correct(verdict: Verdict, headline: str, note: str = "The figure was for 2018, not 2019.") -> Verdict:
    """A published correction of ``verdict``, written by its author and approved by another editor."""
    author = verdict.author
    correction = workflow.verdict_correct(verdict=verdict, user=author, reason=note)
    workflow.verdict_update(verdict=correction, user=author, changes={"headline": headline})
    correction = workflow.verdict_submit(verdict=Verdict.objects.get(pk=correction.pk), user=author)
    return workflow.verdict_publish(verdict=correction, editor=UserFactory(role="editor"))


@pytest.mark.django_db
class TestFactCheckPage:
    def test_it_shows_the_claim_the_rating_the_summary_and_the_evidence(self, client):
        verdict = VerdictFactory(published=True, claim__text="Unemployment fell by 5 percent last year.")
        evidence = EvidenceFactory(claim=verdict.claim, title="Labour force survey, 2019")
        response = client.get(page_of(verdict))
        assert response.status_code == 200
        html = response.content.decode()
        for shown in (
            "Unemployment fell by 5 percent last year.",
            verdict.claim.speaker.name,
            "Minister",
            verdict.claim.source.title,
            "4 July 2019",
            "False",
            verdict.summary,
            evidence.title,
            evidence.url,
        ):
            assert shown in html, shown

    def test_it_carries_its_claimreview_valid_and_pointing_at_itself(self, client):
        verdict = VerdictFactory(published=True)
        (record,) = json_ld(client.get(page_of(verdict)))
        VALIDATOR.validate(record)
        assert record["url"] == f"{settings.PUBLIC_URL}{page_of(verdict)}"
        assert record["claimReviewed"] == verdict.claim.text
        assert record["reviewRating"]["alternateName"] == "False"

    def test_the_json_ld_cannot_close_its_script_element(self, client):
        verdict = VerdictFactory(published=True, claim__text='He said </script><script>alert("x")</script> & left')
        html = client.get(page_of(verdict)).content.decode()
        assert "</script><script>alert" not in html
        (record,) = json_ld(client.get(page_of(verdict)))
        assert record["claimReviewed"] == 'He said </script><script>alert("x")</script> & left'

    def test_drafts_and_verdicts_in_review_have_no_page(self, client, editor):
        draft = VerdictFactory()
        in_review = VerdictFactory(in_review=True)
        assert draft.slug == in_review.slug == ""
        client.force_login(editor)
        for slug in (f"{draft.headline}-{draft.pk}", f"the-figure-is-wrong-{in_review.pk}", "nothing-here"):
            assert client.get(f"/factchecks/{slug}/").status_code == 404

    def test_a_retraction_keeps_its_page_with_the_notice_and_without_claimreview_or_rating_badge(self, client):
        retracted = retract(VerdictFactory(published=True))
        response = client.get(page_of(retracted))
        assert response.status_code == 200
        html = response.content.decode()
        assert "This fact-check was retracted" in html
        assert "The statistics office withdrew its figures." in html
        assert '<meta name="robots" content="noindex">' in html
        assert json_ld(response) == []
        assert "rating-badge" not in html
        assert "It had rated the claim “False”." in html

    def test_a_correction_keeps_the_address_and_lists_what_changed_and_the_earlier_rating(self, client):
        original = VerdictFactory(published=True, published_at=timezone.now() - datetime.timedelta(days=3))
        address = page_of(original)
        correction = correct(original, "The figure is wrong, and older than said")

        assert page_of(correction) == address
        response = client.get(address)
        html = response.content.decode()
        assert "Corrections, updates and retractions" in html
        assert "The figure was for 2018, not 2019." in html
        assert "version rated “False”: The figure is wrong, and older than said" in html
        assert f"version rated “False”: {original.headline}" in html  # the earlier version, as it was
        assert "last changed" in html
        assert [record["headline"] for record in json_ld(response)] == ["The figure is wrong, and older than said"]
        (record,) = json_ld(response)
        assert record["url"] == f"{settings.PUBLIC_URL}{address}"
        assert record["dateModified"] > record["datePublished"]

    def test_the_address_of_a_version_from_before_one_address_per_fact_check_moves_there_for_good(self, client):
        original = VerdictFactory(published=True)
        correction = correct(original, "Its correction")
        Verdict.objects.filter(pk=correction.pk).update(slug=f"its-correction-{correction.pk}")  # as it was
        response = client.get(f"/factchecks/its-correction-{correction.pk}/")
        assert response.status_code == 301
        assert response["Location"] == page_of(original)

    def test_a_rating_links_to_its_definition_and_every_page_to_the_methodology(self, client):
        html = client.get(page_of(VerdictFactory(published=True))).content.decode()
        assert 'href="/methodology/#rating-false"' in html
        assert 'href="/methodology/"' in html


@pytest.mark.django_db
class TestIndex:
    def test_it_lists_current_fact_checks_newest_first_and_nothing_unpublished(self, client):
        older = VerdictFactory(published=True, headline="Older fact-check")
        newer = VerdictFactory(published=True, headline="Newer fact-check")
        VerdictFactory(headline="Draft headline")
        replaced = VerdictFactory(published=True, headline="Replaced fact-check")
        correct(replaced, "Its correction")
        html = client.get("/factchecks/").content.decode()
        assert "Draft headline" not in html
        assert "Replaced fact-check" not in html
        assert html.index("Its correction") < html.index(newer.headline) < html.index(older.headline)

    def test_it_pages_through_fact_checks(self, client, monkeypatch):
        monkeypatch.setattr("claims.public.views.FACTCHECKS_PER_PAGE", 2)
        for number in range(5):
            VerdictFactory(published=True, headline=f"Fact-check number {number}")
        first, last = client.get("/factchecks/"), client.get("/factchecks/?page=3")
        assert "Page 1 of 3" in first.content.decode()
        assert "Fact-check number 0" in last.content.decode()
        assert client.get("/factchecks/?page=nonsense").status_code == 200

    def test_its_queries_do_not_grow_with_the_page(self, client, django_assert_num_queries):
        VerdictFactory(published=True)
        with django_assert_num_queries(2):  # the count, then the page with rating and speaker joined
            client.get("/factchecks/")
        for _ in range(10):
            VerdictFactory(published=True)
        with django_assert_num_queries(2):
            client.get("/factchecks/")
