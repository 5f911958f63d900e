"""The published record never changes silently: what a reader saw stays true, or is visibly corrected,
updated or retracted with a note and a date, through every path that could change it."""

import csv
import io
import json
import re
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client

from claims import workflow
from claims.models import Claim, Evidence, Speaker, Verdict
from tests.api import client_for, error_fields
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
    VerdictFactory,
    rating,
)

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def what_readers_see(claim: Claim) -> dict:
    """The claim's fact-check as a reader finds it: the page, its ClaimReview, the API and the CSV export."""
    claim = Claim.objects.get(pk=claim.pk)
    page = Client().get(f"/factchecks/{claim.slug}/")
    html = page.content.decode()
    records = [json.loads(block) for block in JSON_LD.findall(html)]
    shown = claim.factcheck_on_display()
    detail = client_for().get(f"/api/v1/verdicts/{shown.pk}/").json()
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(client_for().get("/api/v1/exports/verdicts.csv").streaming_content).decode())
        )
    )
    return {
        "status": page.status_code,
        "headline": re.search(r"<h1>(.*?)</h1>", html).group(1),
        "badge": re.search(r'class="rating-badge"[^>]*>(.*?)</span>', html).group(1)
        if "rating-badge" in html
        else None,
        "retracted": "This fact-check was retracted" in html,
        "noindex": 'content="noindex"' in html,
        "changes": re.findall(r"<strong>(Corrected|Updated|Retracted|Reinstated)</strong> on .*?: (.*?)\n", html),
        "evidence": re.findall(r'<li>\s*<a href="(https://[^"]+)">', html),
        "speaker": re.search(r"<dt>Said by</dt>\s*<dd>(.*?)(,|</dd>)", html).group(1),
        "claimreview": [(r["headline"], r["reviewRating"]["alternateName"], "dateModified" in r) for r in records],
        "api": (detail["status"], detail["headline"], detail["rating"]["label"], detail["change_note"]),
        "csv": [(row["headline"], row["rating"], row["change_kind"], row["evidence_urls"]) for row in rows],
    }


def correct(verdict: Verdict, *, author, editor, note: str, kind: str = "correction", **changes) -> Verdict:
    draft = workflow.verdict_correct(verdict=verdict, user=author, reason=note)
    draft = workflow.verdict_update(verdict=draft, user=author, changes={"change_kind": kind, **changes})
    draft = workflow.verdict_submit(verdict=draft, user=author)
    return workflow.verdict_publish(verdict=draft, editor=editor)


def test_a_fact_check_shows_readers_each_change_with_its_note_and_date(reviewer, editor, second_editor):
    claim = ClaimFactory(status=Claim.Status.ASSIGNED, assignee=reviewer, speaker__name="Ana Ruiz")
    census = EvidenceFactory(claim=claim, url="https://stats.example/census-2019", title="Census 2019")
    draft = workflow.verdict_create(
        verdict=Verdict(claim=claim, rating=rating("false"), headline="No, it fell", summary="The census says so."),
        author=reviewer,
    )
    first = workflow.verdict_publish(verdict=workflow.verdict_submit(verdict=draft, user=reviewer), editor=editor)
    address = f"/factchecks/{Claim.objects.get(pk=claim.pk).slug}/"
    published = what_readers_see(claim)
    assert published == {
        "status": 200,
        "headline": "No, it fell",
        "badge": "False",
        "retracted": False,
        "noindex": False,
        "changes": [],
        "evidence": ["https://stats.example/census-2019"],
        "speaker": "Ana Ruiz",
        "claimreview": [("No, it fell", "False", False)],
        "api": ("published", "No, it fell", "False", ""),
        "csv": [("No, it fell", "False", "", "https://stats.example/census-2019")],
    }

    # The evidence it cites is on the record; the speaker's record is not, and may be renamed.
    census.title = "Census 2019, revised"
    with pytest.raises(ValidationError):
        census.save()
    refused = client_for(reviewer).patch(f"/api/v1/evidence/{census.pk}/", {"title": "Revised"}, HTTP_IF_MATCH="*")
    assert (refused.status_code, error_fields(refused)) == (400, {"title"})
    assert client_for(editor).delete(f"/api/v1/evidence/{census.pk}/").status_code == 400
    Speaker.objects.filter(pk=claim.speaker_id).update(name="Ana Ruiz-Ortega")
    assert what_readers_see(claim) == published

    # A correction with new evidence, on the same address, says what it changed.
    second = workflow.verdict_correct(verdict=first, user=reviewer, reason="The census was revised in 2020.")
    revised = EvidenceFactory(claim=claim, url="https://stats.example/census-2020", title="Census 2020", cited=False)
    second = workflow.verdict_update(
        verdict=second, user=reviewer, changes={"rating": rating("mostly-false"), "headline": "Mostly no, it fell"}
    )
    second = workflow.verdict_publish(verdict=workflow.verdict_submit(verdict=second, user=reviewer), editor=editor)
    corrected = what_readers_see(claim)
    assert Claim.objects.get(pk=claim.pk).slug == first.slug  # one address
    assert corrected == {
        **published,
        "headline": "Mostly no, it fell",
        "badge": "Mostly false",
        "changes": [("Corrected", "The census was revised in 2020.")],
        "evidence": [census.url, revised.url],
        "speaker": "Ana Ruiz-Ortega",  # as the approving editor saw it now
        "claimreview": [("Mostly no, it fell", "Mostly false", True)],
        "api": ("published", "Mostly no, it fell", "Mostly false", "The census was revised in 2020."),
        "csv": [("Mostly no, it fell", "Mostly false", "correction", f"{census.url} {revised.url}")],
    }

    # A minor update, public too.
    third = correct(
        second,
        author=reviewer,
        editor=second_editor,
        note="Fixed a typo in the summary.",
        kind="update",
        summary="The census says so, twice.",
    )
    updated = what_readers_see(claim)
    assert updated["changes"] == [("Updated", "Fixed a typo in the summary."), *corrected["changes"]]
    assert updated["csv"] == [("Mostly no, it fell", "Mostly false", "update", f"{census.url} {revised.url}")]

    # A retraction keeps the address, says why, and brings no earlier version back.
    workflow.verdict_retract(verdict=third, editor=editor, reason="The census figures were withdrawn.")
    retracted = what_readers_see(claim)
    assert retracted == {
        **updated,
        "badge": None,
        "retracted": True,
        "noindex": True,
        "changes": [("Retracted", "The census figures were withdrawn."), *updated["changes"]],
        "claimreview": [],
        "api": ("retracted", "Mostly no, it fell", "Mostly false", "Fixed a typo in the summary."),
        "csv": [],
    }
    assert Verdict.objects.get(pk=second.pk).status == Verdict.Status.SUPERSEDED

    # Reinstating an earlier version is a move of its own, with its reason.
    workflow.verdict_reinstate(
        verdict=Verdict.objects.get(pk=second.pk), editor=second_editor, reason="The 2020 revision stands."
    )
    reinstated = what_readers_see(claim)
    assert reinstated["headline"] == "Mostly no, it fell"
    assert (reinstated["badge"], reinstated["retracted"], reinstated["noindex"]) == ("Mostly false", False, False)
    assert reinstated["changes"][0] == ("Reinstated", "The 2020 revision stands.")
    assert reinstated["api"] == ("published", "Mostly no, it fell", "Mostly false", "The census was revised in 2020.")
    assert reinstated["csv"] == [("Mostly no, it fell", "Mostly false", "correction", f"{census.url} {revised.url}")]

    # The address a version had before fact-checks kept one leads to it for good.
    Verdict.objects.filter(pk=third.pk).update(slug=f"an-old-address-{third.pk}")
    moved = Client().get(f"/factchecks/an-old-address-{third.pk}/")
    assert (moved.status_code, moved["Location"]) == (301, address)


class TestEvidenceOnTheRecord:
    @pytest.fixture
    def cited(self):
        verdict = VerdictFactory(in_review=True)
        return EvidenceFactory(claim=verdict.claim)

    def test_a_plain_save_or_delete_is_refused(self, cited):
        cited.stance = Evidence.Stance.SUPPORTS
        with pytest.raises(ValidationError):
            cited.save()
        with pytest.raises(ValidationError):
            cited.delete()
        with pytest.raises(ValidationError):
            Evidence.objects.filter(pk=cited.pk).delete()  # a queryset's delete too
        assert Evidence.objects.get(pk=cited.pk).stance == Evidence.Stance.REFUTES

    def test_the_citations_of_a_verdict_past_draft_are_fixed(self, cited):
        verdict = cited.cited_by.get()
        with pytest.raises(ValidationError), transaction.atomic():
            verdict.evidence.remove(cited)
        with pytest.raises(ValidationError), transaction.atomic():
            cited.cited_by.clear()
        assert list(verdict.evidence.all()) == [cited]

    def test_a_draft_cites_new_evidence_and_may_leave_it_out(self, reviewer):
        draft = VerdictFactory(claim=ClaimFactory(assigned=True, assignee=reviewer), author=reviewer)
        added = Evidence.objects.create(claim=draft.claim, title="A new table")
        assert list(draft.evidence.all()) == [added]
        workflow.verdict_update(verdict=draft, user=reviewer, changes={"evidence": []})
        assert not draft.evidence.exists()
        added.title = "A new table, renamed"
        added.save()  # no verdict past draft cites it

    def test_a_verdict_cites_only_its_own_claims_evidence(self, reviewer):
        draft = VerdictFactory(claim=ClaimFactory(assigned=True, assignee=reviewer), author=reviewer)
        elsewhere = EvidenceFactory()
        response = client_for(reviewer).get(f"/api/v1/verdicts/{draft.pk}/")
        patched = client_for(reviewer).patch(
            f"/api/v1/verdicts/{draft.pk}/", {"evidence": [elsewhere.pk]}, HTTP_IF_MATCH=response["ETag"]
        )
        assert (patched.status_code, error_fields(patched)) == (400, {"evidence"})

    def test_the_public_reads_evidence_once_a_published_fact_check_cites_it(self):
        published = VerdictFactory(published=True)
        later = EvidenceFactory(claim=published.claim, cited=False)
        cited = EvidenceFactory(claim=published.claim)
        listed = {row["id"] for row in client_for().get("/api/v1/evidence/").json()["results"]}
        assert listed == {cited.pk}
        assert client_for().get(f"/api/v1/evidence/{later.pk}/").status_code == 404

    def test_the_public_never_reads_who_on_the_staff_added_it(self, editor):
        evidence = EvidenceFactory(claim=VerdictFactory(published=True).claim, added_by=editor)
        assert "added_by" not in client_for().get(f"/api/v1/evidence/{evidence.pk}/").json()
        assert client_for(editor).get(f"/api/v1/evidence/{evidence.pk}/").json()["added_by"] == editor.username


class TestWhatTheApproverSaw:
    def test_a_renamed_speaker_or_retitled_source_reaches_readers_only_through_a_new_version(self, client):
        verdict = VerdictFactory(published=True, claim__speaker__name="Ana Ruiz", claim__source__title="Budget speech")
        Speaker.objects.filter(pk=verdict.claim.speaker_id).update(name="Someone Else")
        verdict.claim.source.title = "Another speech"
        verdict.claim.source.url = "https://elsewhere.example/"
        verdict.claim.source.save()
        html = client.get(f"/factchecks/{verdict.slug}/").content.decode()
        assert "Ana Ruiz" in html
        assert "Budget speech" in html
        assert "Someone Else" not in html
        assert "elsewhere.example" not in html
        (row,) = csv.DictReader(
            io.StringIO(b"".join(client.get("/api/v1/exports/verdicts.csv").streaming_content).decode())
        )
        assert (row["speaker"], row["source_title"]) == ("Ana Ruiz", "Budget speech")
        detail = client_for().get(f"/api/v1/verdicts/{verdict.pk}/").json()
        assert detail["claim_as_shown"]["speaker"]["name"] == "Ana Ruiz"

    def test_where_a_published_claim_was_first_made_cannot_point_at_an_unpublished_source(self, editor):
        claim = VerdictFactory(published=True).claim
        secret = SourceFactory(title="Unpublished memo", text="Internal")
        response = client_for(editor).get(f"/api/v1/claims/{claim.pk}/")
        patched = client_for(editor).patch(
            f"/api/v1/claims/{claim.pk}/", {"first_appearance": secret.pk}, HTTP_IF_MATCH=response["ETag"]
        )
        assert (patched.status_code, error_fields(patched)) == (400, {"first_appearance"})
        assert client_for().get(f"/api/v1/sources/{secret.pk}/").status_code == 404


class TestPublicChangesOnly:
    def test_a_published_claims_public_etag_and_updated_at_move_only_when_something_public_changes(self, editor):
        claim = VerdictFactory(published=True).claim
        before = client_for().get(f"/api/v1/claims/{claim.pk}/")
        staff = client_for(editor).get(f"/api/v1/claims/{claim.pk}/")
        client_for(editor).patch(
            f"/api/v1/claims/{claim.pk}/", {"notes": "Call the ministry."}, HTTP_IF_MATCH=staff["ETag"]
        )
        after = client_for().get(f"/api/v1/claims/{claim.pk}/")
        assert (after["ETag"], after.json()["updated_at"]) == (before["ETag"], before.json()["updated_at"])
        assert client_for(editor).get(f"/api/v1/claims/{claim.pk}/").json()["updated_at"] != staff.json()["updated_at"]

        claim.topics.add(TopicFactory(name="Budget"))
        changed = client_for().get(f"/api/v1/claims/{claim.pk}/")
        assert changed["ETag"] != before["ETag"]
        assert changed.json()["updated_at"] > before.json()["updated_at"]


class TestRefusals:
    def test_a_correction_without_its_note_is_refused_in_the_api_naming_the_field(self, reviewer):
        published = VerdictFactory(published=True)
        correction = workflow.verdict_correct(verdict=published, user=reviewer, reason="Wrong year")
        etag = client_for(reviewer).get(f"/api/v1/verdicts/{correction.pk}/")["ETag"]
        client_for(reviewer).patch(f"/api/v1/verdicts/{correction.pk}/", {"change_note": ""}, HTTP_IF_MATCH=etag)
        response = client_for(reviewer).post(f"/api/v1/verdicts/{correction.pk}/submit/")
        assert (response.status_code, error_fields(response)) == (400, {"change_note"})
        assert Verdict.objects.get(pk=correction.pk).status == Verdict.Status.DRAFT

    @pytest.mark.parametrize("move", ["send-back", "retract", "reinstate", "correct"])
    def test_a_move_without_its_reason_is_refused_naming_the_field(self, editor, move):
        status = {"send-back": "in_review", "reinstate": "superseded"}.get(move, "published")
        verdict = VerdictFactory(published=True) if status != "in_review" else VerdictFactory(in_review=True)
        Verdict.objects.filter(pk=verdict.pk).update(status=status)
        response = client_for(editor).post(f"/api/v1/verdicts/{verdict.pk}/{move}/", {"reason": " "})
        assert (response.status_code, error_fields(response)) == (400, {"reason"})
        assert Verdict.objects.get(pk=verdict.pk).status == status

    def test_an_editor_who_changed_a_draft_is_refused_by_the_api_too(self, editor, second_editor):
        draft = VerdictFactory()
        workflow.verdict_update(verdict=draft, user=editor, changes={"headline": "Sharper"})
        workflow.verdict_submit(verdict=Verdict.objects.get(pk=draft.pk), user=draft.author)
        response = client_for(editor).post(f"/api/v1/verdicts/{draft.pk}/publish/")
        assert response.status_code == 403
        assert "changed the text or rating" in response.json()["detail"]
        assert client_for(second_editor).post(f"/api/v1/verdicts/{draft.pk}/publish/").status_code == 200


def test_a_claimreview_links_our_ratings_definition_and_keeps_an_importers(client):
    verdict = VerdictFactory(published=True)
    (record,) = [
        json.loads(block) for block in JSON_LD.findall(client.get(f"/factchecks/{verdict.slug}/").content.decode())
    ]
    assert record["reviewRating"]["url"] == f"{settings.PUBLIC_URL}/methodology/#rating-false"
    assert 'id="rating-false"' in client.get("/methodology/").content.decode()


def race(*moves) -> list[str]:
    """Run the moves at once, each on a connection of its own: what each ended in."""
    barrier = threading.Barrier(len(moves))
    outcomes = [None] * len(moves)

    def run(index, move):
        try:
            barrier.wait()
            move()
            outcomes[index] = "done"
        except Exception as error:
            outcomes[index] = type(error).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, move)) for index, move in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def shown_on_the_page(claim: Claim) -> tuple:
    """The page's one version: its headline and whether it stands, and how many versions are published."""
    html = Client().get(f"/factchecks/{Claim.objects.get(pk=claim.pk).slug}/").content.decode()
    published = Verdict.objects.filter(claim=claim, status=Verdict.Status.PUBLISHED).count()
    return re.search(r"<h1>(.*?)</h1>", html).group(1), "This fact-check was retracted" not in html, published


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections: PostgreSQL only")
@pytest.mark.usefixtures("data_migrations")
class TestEditorsAtOnce:
    @pytest.fixture
    def people(self):
        return UserFactory(role="reviewer"), UserFactory(role="editor"), UserFactory(role="editor")

    def submitted_correction(self, verdict, author, headline):
        draft = workflow.verdict_correct(verdict=verdict, user=author, reason=f"Because {headline}")
        draft = workflow.verdict_update(verdict=draft, user=author, changes={"headline": headline})
        return workflow.verdict_submit(verdict=draft, user=author)

    def test_a_correction_and_a_retraction_of_the_same_version_one_wins(self, people):
        author, first, second = people
        current = VerdictFactory(published=True, headline="As first published")
        correction = self.submitted_correction(current, author, "As corrected")
        outcomes = race(
            lambda: workflow.verdict_publish(verdict=Verdict.objects.get(pk=correction.pk), editor=first),
            lambda: workflow.verdict_retract(verdict=Verdict.objects.get(pk=current.pk), editor=second, reason="Wrong"),
        )
        assert sorted(outcomes) in (["ConflictError", "done"], ["IllegalMoveError", "done"])
        expected = ("As corrected", True, 1) if outcomes[0] == "done" else ("As first published", False, 0)
        assert shown_on_the_page(current.claim) == expected

    def test_two_corrections_of_the_same_version_one_wins(self, people):
        author, first, second = people
        current = VerdictFactory(published=True, headline="As first published")
        one = self.submitted_correction(current, author, "Corrected one way")
        other = self.submitted_correction(current, author, "Corrected another way")
        outcomes = race(
            lambda: workflow.verdict_publish(verdict=Verdict.objects.get(pk=one.pk), editor=first),
            lambda: workflow.verdict_publish(verdict=Verdict.objects.get(pk=other.pk), editor=second),
        )
        assert sorted(outcomes) == ["IllegalMoveError", "done"]
        winner = "Corrected one way" if outcomes[0] == "done" else "Corrected another way"
        assert shown_on_the_page(current.claim) == (winner, True, 1)

    def test_two_reinstatements_of_the_same_version_one_wins(self, people):
        _, first, second = people
        current = VerdictFactory(published=True, headline="As first published")
        retracted = workflow.verdict_retract(verdict=current, editor=first, reason="Wrong")
        outcomes = race(
            lambda: workflow.verdict_reinstate(verdict=Verdict.objects.get(pk=retracted.pk), editor=first, reason="A"),
            lambda: workflow.verdict_reinstate(verdict=Verdict.objects.get(pk=retracted.pk), editor=second, reason="B"),
        )
        assert sorted(outcomes) in (["ConflictError", "done"], ["IllegalMoveError", "done"])
        assert shown_on_the_page(current.claim) == ("As first published", True, 1)
        assert current.claim.factcheck_events.filter(kind="reinstated").count() == 1


def test_a_long_reason_is_kept_whole_in_the_history_and_on_the_page(editor):
    verdict = VerdictFactory(published=True)
    reason = "The agency withdrew the table and published another. " * 30  # about 1,600 characters
    workflow.verdict_retract(verdict=verdict, editor=editor, reason=reason)
    assert Verdict.objects.get(pk=verdict.pk).history.first().history_change_reason == f"Retract: {reason.strip()}"
    assert reason.strip() in Client().get(f"/factchecks/{verdict.slug}/").content.decode()
