"""The editors' admin: the claim queue, its actions, verdict review, role permissions and query counts."""

import datetime
import json
import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import workflow
from claims.models import Claim, Evidence, Methodology, Source, Speaker, Verdict
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    SpeakerFactory,
    TopicFactory,
    UserFactory,
    VerdictFactory,
    rating,
)

pytestmark = pytest.mark.django_db

CLAIMS = reverse("admin:claims_claim_changelist")
VERDICTS = reverse("admin:claims_verdict_changelist")


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, url, action, objects, **extra):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    return client.post(url, data, follow=True)


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer)
    return client


def queue_of(size: int) -> None:
    """Claims as a busy queue holds them: topics, assignees, published verdicts."""
    topic = TopicFactory()
    for index in range(size):
        verdict = VerdictFactory(published=True, claim__status=Claim.Status.PUBLISHED)
        verdict.claim.topics.add(topic)
        if index % 2:
            VerdictFactory(claim=verdict.claim, author=verdict.author)


class TestClaimQueue:
    def test_it_lists_claims_with_speaker_source_date_status_rating_and_assignee(self, as_editor):
        speaker = SpeakerFactory(name="Mike Pompeo", role="U.S. Secretary of State")
        source = SourceFactory(title="Pompeo on Venezuela", publisher="Newsweek")
        claim = ClaimFactory(
            speaker=speaker,
            source=source,
            text="Venezuelans are besieged",
            claim_date=datetime.date(2019, 3, 1),
            claim_date_precision=Claim.DatePrecision.MONTH,
            status=Claim.Status.PUBLISHED,
        )
        VerdictFactory(claim=claim, author=UserFactory(role="reviewer"), published=True, rating=rating("half-true"))
        page = as_editor.get(CLAIMS).content.decode()
        for shown in [
            "Venezuelans are besieged",
            "Mike Pompeo",
            "Newsweek: Pompeo on Venezuela",
            "March 2019",
            "Published",
            "Half true",
        ]:
            assert shown in page

    @pytest.mark.parametrize("size", [5, 100])
    def test_it_runs_a_fixed_number_of_queries_whatever_the_page_size(self, as_editor, size):
        queue_of(size)
        as_editor.get(CLAIMS)  # warm the session and content-type caches
        with CaptureQueriesContext(connection) as queries:
            response = as_editor.get(CLAIMS, {"all": ""} if size > 100 else {})
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == size
        # session, user, the user's permissions (2: group and own), count of filtered rows, count of
        # all rows, the page of claims with speaker, source, assignee and current rating in one
        # query, and one each for the rating, speaker, publisher, topic, assignee and date filters.
        assert len(queries) == 14, "\n".join(q["sql"] for q in queries.captured_queries)

    def test_it_filters_the_claims_assigned_to_me(self, as_editor, editor):
        mine = ClaimFactory(status=Claim.Status.ASSIGNED, assignee=editor)
        ClaimFactory(assigned=True)
        response = as_editor.get(CLAIMS, {"assignee": "me"})
        assert list(response.context["cl"].result_list) == [mine]

    def test_it_filters_by_current_rating(self, as_editor):
        false_claim = VerdictFactory(published=True, rating=rating("false")).claim
        VerdictFactory(published=True, rating=rating("true"))
        response = as_editor.get(CLAIMS, {"rating": "false"})
        assert list(response.context["cl"].result_list) == [false_claim]

    def test_it_filters_by_publisher(self, as_editor):
        newsweek = ClaimFactory(source=SourceFactory(publisher="Newsweek"))
        ClaimFactory(source=SourceFactory(publisher="Reuters"))
        response = as_editor.get(CLAIMS, {"publisher": "Newsweek"})
        assert list(response.context["cl"].result_list) == [newsweek]

    @pytest.mark.parametrize("query", ["Ryabkov", "tass.example/ryabkov", "Ryabkov remarks", "multifaceted"])
    def test_it_searches_claim_text_speaker_and_source(self, as_editor, query):
        claim = ClaimFactory(
            text="Russia will continue multifaceted efforts",
            speaker=SpeakerFactory(name="Sergei Ryabkov"),
            source=SourceFactory(url="https://tass.example/ryabkov", title="Ryabkov remarks"),
        )
        ClaimFactory()
        response = as_editor.get(CLAIMS, {"q": query})
        assert list(response.context["cl"].result_list) == [claim]


class TestClaimActions:
    def test_an_editor_marks_claims_check_worthy_and_hears_about_each_refusal(self, as_editor, editor):
        fresh = ClaimFactory()
        taken = ClaimFactory(assigned=True)
        response = run_action(as_editor, CLAIMS, "mark_checkworthy", [fresh, taken])
        assert Claim.objects.get(pk=fresh.pk).status == Claim.Status.CHECKWORTHY
        assert Claim.objects.get(pk=taken.pk).status == Claim.Status.ASSIGNED
        assert messages_of(response) == [
            (
                f"“{taken}”: Cannot mark check-worthy claim {taken.pk}: it is assigned. "
                "Allowed from assigned: assign, draft a verdict."
            ),
            f"Marked check-worthy: “{fresh}”.",  # named by their words, not their ids
        ]

    def test_rejecting_asks_for_a_reason_first(self, as_editor):
        claim = ClaimFactory()
        form_page = run_action(as_editor, CLAIMS, "reject", [claim])
        assert "Reject claims" in form_page.content.decode()
        assert Claim.objects.get(pk=claim.pk).status == Claim.Status.NEW
        run_action(as_editor, CLAIMS, "reject", [claim], apply="1", reason="A prediction, not checkable")
        claim.refresh_from_db()
        assert (claim.status, claim.rejection_reason) == (Claim.Status.REJECTED, "A prediction, not checkable")

    def test_an_editor_assigns_claims_to_a_reviewer(self, as_editor, reviewer):
        claim = ClaimFactory(status=Claim.Status.CHECKWORTHY)
        response = run_action(as_editor, CLAIMS, "assign", [claim], apply="1", assignee=reviewer.pk)
        claim.refresh_from_db()
        assert (claim.status, claim.assignee) == (Claim.Status.ASSIGNED, reviewer)
        assert messages_of(response) == [f"Assigned to rex: “{claim}”."]

    def test_a_reviewer_takes_a_claim(self, as_reviewer, reviewer):
        claim = ClaimFactory(status=Claim.Status.CHECKWORTHY)
        run_action(as_reviewer, CLAIMS, "assign_to_me", [claim])
        assert Claim.objects.get(pk=claim.pk).assignee == reviewer

    def test_publishing_from_the_queue_is_refused_to_the_author(self, client):
        author_editor = UserFactory(role="editor")
        claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=author_editor)
        verdict = VerdictFactory(claim=claim, author=author_editor, in_review=True)
        client.force_login(author_editor)
        response = run_action(client, CLAIMS, "approve_and_publish", [claim])
        assert Verdict.objects.get(pk=verdict.pk).status == Verdict.Status.IN_REVIEW
        assert "another editor must approve it" in messages_of(response)[0]

    def test_retracting_from_the_queue_needs_a_reason(self, as_editor):
        verdict = VerdictFactory(published=True, claim__status=Claim.Status.PUBLISHED)
        run_action(as_editor, CLAIMS, "retract", [verdict.claim], apply="1", reason="")
        assert Verdict.objects.get(pk=verdict.pk).status == Verdict.Status.PUBLISHED
        run_action(as_editor, CLAIMS, "retract", [verdict.claim], apply="1", reason="Data withdrawn")
        assert Verdict.objects.get(pk=verdict.pk).status == Verdict.Status.RETRACTED

    def test_retracting_from_the_queue_retracts_the_claims_current_fact_check(self, as_editor):
        # An undated fact-check by another publisher sorts first on PostgreSQL when ordered by date alone.
        own = VerdictFactory(published=True, claim__status=Claim.Status.PUBLISHED)
        undated = VerdictFactory(claim=own.claim, imported=True)
        assert Claim.objects.get(pk=own.claim_id).current_verdict == own

        run_action(as_editor, CLAIMS, "retract", [own.claim], apply="1", reason="Data withdrawn")

        assert Verdict.objects.get(pk=own.pk).status == Verdict.Status.RETRACTED
        assert Verdict.objects.get(pk=undated.pk).status == Verdict.Status.PUBLISHED


class TestRoles:
    def test_a_reviewer_sees_only_the_actions_of_a_reviewer(self, as_reviewer):
        ClaimFactory()
        actions = [name for name, _ in as_reviewer.get(CLAIMS).context["action_form"].fields["action"].choices]
        assert actions == ["", "assign_to_me", "submit_for_review", "export_csv", "export_claimreview"]

    def test_an_editor_sees_every_workflow_action(self, as_editor):
        ClaimFactory()
        actions = [name for name, _ in as_editor.get(CLAIMS).context["action_form"].fields["action"].choices]
        assert actions == [
            "",
            "mark_checkworthy",
            "reject",
            "assign_to_me",
            "assign",
            "submit_for_review",
            "approve_and_publish",
            "retract",
            "export_csv",
            "export_claimreview",
        ]

    def test_a_reviewer_cannot_triage_by_posting_the_action_anyway(self, as_reviewer):
        claim = ClaimFactory()
        run_action(as_reviewer, CLAIMS, "mark_checkworthy", [claim])
        assert Claim.objects.get(pk=claim.pk).status == Claim.Status.NEW

    def test_a_reviewer_reads_but_cannot_change_the_rating_scale(self, as_reviewer):
        false = rating("false")
        assert as_reviewer.get(reverse("admin:claims_rating_changelist")).status_code == 200
        response = as_reviewer.post(reverse("admin:claims_rating_change", args=[false.pk]), {"label": "Pants on fire"})
        assert response.status_code == 403
        assert rating("false").label == "False"

    @pytest.mark.parametrize("persona", ["researcher", "outsider"])
    def test_people_without_an_admin_role_are_sent_to_the_login_page(self, client, persona, request):
        client.force_login(request.getfixturevalue(persona))
        response = client.get(CLAIMS)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))

    def test_nobody_deletes_a_verdict(self, as_editor):
        verdict = VerdictFactory()
        response = as_editor.post(reverse("admin:claims_verdict_delete", args=[verdict.pk]), {"post": "yes"})
        assert response.status_code == 403
        assert Verdict.objects.filter(pk=verdict.pk).exists()


# The claim form's inline formsets (evidence, verdicts) with no rows: a claim saved on its own.
NO_INLINES = {
    "evidence-TOTAL_FORMS": 0,
    "evidence-INITIAL_FORMS": 0,
    "verdicts-TOTAL_FORMS": 0,
    "verdicts-INITIAL_FORMS": 0,
}


class TestClaimForm:
    def test_it_refuses_a_claim_dated_after_its_source_and_saves_nothing(self, as_reviewer):
        source = SourceFactory(published_on=datetime.date(2019, 7, 5))
        data = {
            "text": "Unemployment fell",
            "speaker": SpeakerFactory().pk,
            "source": source.pk,
            "claim_date": "2019-07-06",
            "claim_date_precision": "day",
            **NO_INLINES,
        }
        response = as_reviewer.post(reverse("admin:claims_claim_add"), data)
        assert response.status_code == 200
        assert "after its source&#x27;s publication date 2019-07-05" in response.content.decode()
        assert not Claim.objects.exists()

    @pytest.mark.parametrize("race", [False, True], ids=["recorded before", "recorded between check and save"])
    def test_it_refuses_a_claim_recorded_before_from_the_same_source(self, as_reviewer, monkeypatch, race):
        claim = ClaimFactory()
        if race:  # another editor's claim stored after this form's check: the database refuses the copy
            check = Claim.validate_constraints
            checks = []

            def too_early(instance, *args, **kwargs):
                checks.append(instance)
                if len(checks) > 1:
                    check(instance, *args, **kwargs)

            monkeypatch.setattr(Claim, "validate_constraints", too_early)
        data = {
            "text": claim.text,
            "speaker": claim.speaker_id,
            "source": claim.source_id,
            "claim_date_precision": "day",
            **NO_INLINES,
        }
        response = as_reviewer.post(reverse("admin:claims_claim_add"), data)
        assert response.status_code == 200
        assert "A claim with this text from this source is already recorded." in response.content.decode()
        assert Claim.objects.count() == 1

    def test_it_records_who_added_a_claim_and_its_evidence(self, as_reviewer, reviewer):
        data = {
            "text": "Unemployment fell",
            "speaker": SpeakerFactory().pk,
            "source": SourceFactory().pk,
            "claim_date": "2019-07-01",
            "claim_date_precision": "day",
            "evidence-TOTAL_FORMS": 1,
            "evidence-INITIAL_FORMS": 0,
            "evidence-0-title": "Labour force survey",
            "evidence-0-url": "https://stats.example/lfs",
            "evidence-0-stance": "refutes",
            "evidence-0-kind": "dataset",
            "verdicts-TOTAL_FORMS": 0,
            "verdicts-INITIAL_FORMS": 0,
        }
        response = as_reviewer.post(reverse("admin:claims_claim_add"), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        claim = Claim.objects.get()
        assert claim.created_by == reviewer
        assert claim.history.get().history_user == reviewer
        assert Evidence.objects.get().added_by == reviewer

    def test_it_offers_to_draft_a_verdict_only_once_the_claim_is_assigned(self, as_reviewer):
        new, assigned = ClaimFactory(), ClaimFactory(assigned=True)
        add_verdict = reverse("admin:claims_verdict_add")
        new_page = as_reviewer.get(reverse("admin:claims_claim_change", args=[new.pk])).content.decode()
        assert f"{add_verdict}?claim={new.pk}" not in new_page
        assert "A verdict can be drafted once the claim is assigned; it is new." in new_page
        assigned_page = as_reviewer.get(reverse("admin:claims_claim_change", args=[assigned.pk])).content.decode()
        assert f"{add_verdict}?claim={assigned.pk}" in assigned_page

    def test_it_keeps_what_a_published_claim_was_checked_for(self, as_editor):
        claim = VerdictFactory(published=True).claim
        data = {
            "text": "Something else entirely",
            "speaker": SpeakerFactory().pk,
            "source": claim.source_id,
            "claim_date": "2019-07-01",
            "claim_date_precision": "day",
            "notes": "Checked again.",
            **NO_INLINES,
        }
        response = as_editor.post(reverse("admin:claims_claim_change", args=[claim.pk]), data)
        assert response.status_code == 302
        stored = Claim.objects.get(pk=claim.pk)
        assert (stored.text, stored.speaker_id, stored.claim_date) == (claim.text, claim.speaker_id, claim.claim_date)
        assert stored.notes == "Checked again."

    def test_it_refuses_a_source_edit_that_would_drop_a_verbatim_quote(self, as_editor):
        source = SourceFactory(text="He said jobs grew by 3 percent.")
        ClaimFactory(source=source, text="jobs grew by 3 percent", is_verbatim=True)
        data = {"title": source.title, "kind": "news_article", "language": "en", "text": "He spoke about jobs."}
        response = as_editor.post(reverse("admin:claims_source_change", args=[source.pk]), data)
        assert response.status_code == 200
        assert "no longer occur in this text" in response.content.decode()
        assert Source.objects.get(pk=source.pk).text == "He said jobs grew by 3 percent."


def test_a_speaker_added_without_slug_gets_the_one_intake_matches_on(as_reviewer):
    data = {"name": "Søren Kierkegaard", "slug": "", "kind": "person", "aliases-TOTAL_FORMS": 0}
    response = as_reviewer.post(reverse("admin:claims_speaker_add"), data | {"aliases-INITIAL_FORMS": 0})
    assert response.status_code == 302
    assert Speaker.objects.get().slug == Speaker.slug_for("Søren Kierkegaard")


class TestVerdictReview:
    def verdict_form(self, verdict, **changes):
        data = {
            "claim": verdict.claim_id,
            "rating": verdict.rating_id,
            "headline": verdict.headline,
            "summary": verdict.summary,
            "body": "",
            "url": "",
            "language": "en",
            "read_version": verdict.version,
        }
        return {**data, **changes}

    def test_the_add_form_starts_from_the_claim_in_the_link(self, as_reviewer):
        claim = ClaimFactory(assigned=True)
        response = as_reviewer.get(reverse("admin:claims_verdict_add"), {"claim": claim.pk})
        assert response.context["adminform"].form.initial["claim"] == str(claim.pk)

    def test_a_reviewer_drafts_a_verdict_as_its_author(self, as_reviewer, reviewer):
        claim = ClaimFactory(status=Claim.Status.ASSIGNED, assignee=reviewer)
        data = {
            "claim": claim.pk,
            "rating": rating("false").pk,
            "headline": "Wrong",
            "summary": "No.",
            "language": "en",
        }
        response = as_reviewer.post(reverse("admin:claims_verdict_add"), data)
        assert response.status_code == 302
        verdict = Verdict.objects.get()
        assert (verdict.author, verdict.status) == (reviewer, Verdict.Status.DRAFT)

    def test_it_refuses_a_draft_on_a_claim_nobody_assigned(self, as_reviewer):
        claim = ClaimFactory()
        data = {"claim": claim.pk, "headline": "Wrong", "summary": "No.", "language": "en"}
        response = as_reviewer.post(reverse("admin:claims_verdict_add"), data)
        assert response.status_code == 200
        assert f"Cannot draft a verdict claim {claim.pk}: it is new" in response.content.decode()
        assert not Verdict.objects.exists()

    def test_it_refuses_to_overwrite_a_change_saved_while_the_form_was_open(self, as_reviewer, reviewer):
        verdict = VerdictFactory(claim=ClaimFactory(status=Claim.Status.ASSIGNED, assignee=reviewer), author=reviewer)
        stale_form = self.verdict_form(verdict, headline="My headline")
        verdict.headline = "A co-author's headline"
        verdict.save()
        response = as_reviewer.post(reverse("admin:claims_verdict_change", args=[verdict.pk]), stale_form)
        assert response.status_code == 200
        assert "Someone else saved this verdict while you were editing it" in response.content.decode()
        assert Verdict.objects.get(pk=verdict.pk).headline == "A co-author's headline"

    def test_an_editor_edits_a_reviewers_draft_through_the_workflow(self, as_editor, editor):
        verdict = VerdictFactory()
        url = reverse("admin:claims_verdict_change", args=[verdict.pk])
        response = as_editor.post(url, self.verdict_form(verdict, headline="Sharper headline"))
        assert response.status_code == 302
        verdict.refresh_from_db()
        assert (verdict.headline, verdict.version) == ("Sharper headline", 2)
        assert verdict.history.first().history_user == editor

    def test_a_draft_stays_on_the_claim_it_was_drafted_for(self, as_reviewer, reviewer):
        verdict = VerdictFactory(claim=ClaimFactory(status=Claim.Status.ASSIGNED, assignee=reviewer), author=reviewer)
        other = ClaimFactory(status=Claim.Status.ASSIGNED, assignee=reviewer)
        url = reverse("admin:claims_verdict_change", args=[verdict.pk])
        as_reviewer.post(url, self.verdict_form(verdict, claim=other.pk, headline="Moved"))
        assert Verdict.objects.get(pk=verdict.pk).claim_id == verdict.claim_id

    def test_the_change_page_offers_the_moves_open_to_the_user(self, as_editor):
        verdict = VerdictFactory(in_review=True)
        page = as_editor.get(reverse("admin:claims_verdict_change", args=[verdict.pk])).content.decode()
        assert reverse("admin:claims_verdict_move", args=[verdict.pk, "publish"]) in page
        assert reverse("admin:claims_verdict_move", args=[verdict.pk, "send-back"]) in page
        assert reverse("admin:claims_verdict_move", args=[verdict.pk, "retract"]) not in page

    def test_a_second_editor_publishes_from_the_verdict_page(self, as_editor, editor):
        verdict = VerdictFactory(in_review=True)
        url = reverse("admin:claims_verdict_move", args=[verdict.pk, "publish"])
        assert as_editor.get(url).status_code == 200
        response = as_editor.post(url, {"read_version": verdict.version}, follow=True)
        verdict.refresh_from_db()
        assert (verdict.status, verdict.approved_by) == (Verdict.Status.PUBLISHED, editor)
        assert messages_of(response) == [f"Published “{verdict}”."]

    def test_the_author_is_refused_on_the_verdict_page(self, client):
        author_editor = UserFactory(role="editor")
        claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=author_editor)
        verdict = VerdictFactory(claim=claim, author=author_editor, in_review=True)
        client.force_login(author_editor)
        url = reverse("admin:claims_verdict_move", args=[verdict.pk, "publish"])
        response = client.post(url, {"read_version": verdict.version}, follow=True)
        assert Verdict.objects.get(pk=verdict.pk).status == Verdict.Status.IN_REVIEW
        assert "another editor must approve it" in messages_of(response)[0]

    def test_a_published_verdict_is_read_only(self, as_editor):
        verdict = VerdictFactory(published=True)
        url = reverse("admin:claims_verdict_change", args=[verdict.pk])
        assert 'name="_save"' not in as_editor.get(url).content.decode()
        response = as_editor.post(url, self.verdict_form(verdict, headline="Rewritten"))
        assert response.status_code == 403
        assert Verdict.objects.get(pk=verdict.pk).headline == verdict.headline

    def test_the_verdict_page_shows_the_evidence_on_the_claim(self, as_editor):
        verdict = VerdictFactory(in_review=True)
        EvidenceFactory(claim=verdict.claim, title="Labour force survey, table 3")
        page = as_editor.get(reverse("admin:claims_verdict_change", args=[verdict.pk])).content.decode()
        assert "Labour force survey, table 3" in page

    @pytest.mark.parametrize("size", [5, 100])
    def test_the_verdict_list_runs_a_fixed_number_of_queries(self, as_editor, size):
        queue_of(size)
        as_editor.get(VERDICTS)
        with CaptureQueriesContext(connection) as queries:
            response = as_editor.get(VERDICTS)
        assert response.status_code == 200
        # session, user, permissions (2), counts (2), the page with claim, rating and people joined,
        # and the rating, author and publisher filters.
        assert len(queries) == 10, "\n".join(q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    ("model_name", "factory"),
    [
        ("claim", ClaimFactory),
        ("verdict", VerdictFactory),
        ("source", SourceFactory),
        ("speaker", SpeakerFactory),
        ("evidence", EvidenceFactory),
        ("topic", TopicFactory),
    ],
)
def test_every_record_has_a_history_page(as_editor, model_name, factory):
    obj = factory()
    response = as_editor.get(reverse(f"admin:claims_{model_name}_history", args=[obj.pk]))
    assert response.status_code == 200
    assert "Created" in response.content.decode()


def test_history_pages_cannot_restore_an_old_version(as_editor):
    verdict = VerdictFactory()
    record = verdict.history.earliest()
    url = reverse("admin:claims_verdict_simple_history", args=[verdict.pk, record.history_id])
    response = as_editor.get(url)
    assert response.status_code == 200
    assert 'value="Revert"' not in response.content.decode()


class TestExports:
    def test_the_claim_list_exports_the_selected_claims_current_fact_checks(self, as_editor):
        chosen, other = VerdictFactory(published=True), VerdictFactory(published=True)
        unpublished = ClaimFactory()
        response = run_action(as_editor, CLAIMS, "export_csv", [chosen.claim, unpublished])
        assert response["Content-Disposition"] == 'attachment; filename="verdicts.csv"'
        body = b"".join(response.streaming_content).decode()
        assert chosen.claim.text in body
        assert other.claim.text not in body
        assert len(body.splitlines()) == 2  # the header and the one fact-check

    def test_the_verdict_list_exports_claimreview_of_the_published_ones(self, as_editor):
        published, draft = VerdictFactory(published=True), VerdictFactory()
        response = run_action(as_editor, VERDICTS, "export_claimreview", [published, draft])
        records = json.loads(b"".join(response.streaming_content))
        assert [record["claimReviewed"] for record in records] == [published.claim.text]

    def test_the_verdict_list_exports_any_selected_verdict_as_csv(self, as_editor):
        published, draft = VerdictFactory(published=True), VerdictFactory(headline="Draft headline")
        response = run_action(as_editor, VERDICTS, "export_csv", [published, draft])
        body = b"".join(response.streaming_content).decode()
        assert "Draft headline" in body
        assert published.headline in body

    def test_a_claim_links_to_its_public_page_and_its_reports(self, as_editor):
        verdict = VerdictFactory(published=True)
        claim = verdict.claim
        page = as_editor.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
        public_page = f"{settings.PUBLIC_URL}/factchecks/{verdict.slug}/"
        assert f'href="{public_page}">Public fact-check page</a>' in page
        assert f'href="/reports/verdicts/?speaker={claim.speaker_id}"' in page
        assert f'href="/reports/verdicts/?source={claim.source_id}"' in page
        assert f'href="{public_page}"' in as_editor.get(CLAIMS).content.decode()

    def test_a_claim_checked_by_another_publisher_links_to_their_fact_check(self, as_editor):
        verdict = VerdictFactory(
            published=True, author=None, approved_by=None, publisher_name="Checker", url="https://checker.example/1"
        )
        page = as_editor.get(reverse("admin:claims_claim_change", args=[verdict.claim.pk])).content.decode()
        assert '<a href="https://checker.example/1">Fact-check by Checker</a>' in page
        assert 'href="https://checker.example/1"' in as_editor.get(CLAIMS).content.decode()


class TestThePublishedRecord:
    def test_the_claim_timeline_tells_who_did_what_why_and_what_changed_in_words(self, as_editor, editor, reviewer):
        claim = ClaimFactory(text="Unemployment fell by half.")
        workflow.claim_mark_checkworthy(claim=claim, user=editor)
        workflow.claim_assign(claim=claim, user=editor, assignee=reviewer)
        draft = workflow.verdict_create(
            verdict=Verdict(claim=claim, rating=rating("false"), headline="No", summary="It rose."), author=reviewer
        )
        workflow.verdict_update(verdict=draft, user=reviewer, changes={"rating": rating("mostly-false")})
        workflow.verdict_send_back(
            verdict=workflow.verdict_submit(verdict=Verdict.objects.get(pk=draft.pk), user=reviewer),
            user=editor,
            reason="Cite the census table.",
        )
        page = as_editor.get(reverse("admin:claims_claim_timeline", args=[claim.pk]))
        assert page.status_code == 200
        rows = [
            re.sub(r"\s+", " ", re.sub(r"<.*?>", " ", row)).strip()
            for row in re.findall(r"<tr>(.*?)</tr>", page.content.decode(), re.S)[1:]
        ]
        assert any("edna Claim “Unemployment fell by half.” changed Mark check-worthy" in row for row in rows)
        assert any("Status: New → Check-worthy" in row for row in rows)
        assert any("rex Verdict “No” changed Edited Rating: False → Mostly false" in row for row in rows)
        assert any(
            "edna Verdict “No” changed Send back: Cite the census table. Status: In review → Draft" in row
            for row in rows
        )
        assert "None" not in page.content.decode().split('id="timeline"')[1]

    def test_an_import_is_named_in_the_timeline(self, as_editor):
        verdict = VerdictFactory(imported=True)
        Verdict.history.filter(id=verdict.pk).update(history_change_reason="Imported from ClaimReview")
        page = as_editor.get(reverse("admin:claims_claim_timeline", args=[verdict.claim_id])).content.decode()
        assert "Imported from Other Fact-Checker" in page

    def test_the_claim_page_offers_its_moves_as_buttons(self, as_editor):
        claim = ClaimFactory()
        page = as_editor.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
        assert reverse("admin:claims_claim_move", args=[claim.pk, "mark-check-worthy"]) in page
        assert reverse("admin:claims_claim_move", args=[claim.pk, "reject"]) in page
        assert reverse("admin:claims_claim_timeline", args=[claim.pk]) in page

    def test_a_claim_is_rejected_from_its_page_with_a_reason(self, as_editor):
        claim = ClaimFactory(text="Taxes will fall next year.")
        url = reverse("admin:claims_claim_move", args=[claim.pk, "reject"])
        assert "Reason" in as_editor.get(url).content.decode()
        as_editor.post(url, {"reason": ""})
        assert Claim.objects.get(pk=claim.pk).status == Claim.Status.NEW
        response = as_editor.post(url, {"reason": "A prediction."}, follow=True)
        assert Claim.objects.get(pk=claim.pk).rejection_reason == "A prediction."
        assert messages_of(response) == ["Reject: done for “Taxes will fall next year.”."]

    def test_the_verdict_page_lists_moves_on_the_claims_verdicts(self, as_editor):
        verdict = VerdictFactory(in_review=True)
        page = as_editor.get(reverse("admin:claims_claim_change", args=[verdict.claim_id])).content.decode()
        assert reverse("admin:claims_verdict_move", args=[verdict.pk, "publish"]) in page

    def test_the_author_reads_why_the_draft_was_sent_back_on_its_page(self, as_reviewer, editor, reviewer):
        verdict = VerdictFactory(in_review=True, claim__assignee=reviewer, author=reviewer)
        workflow.verdict_send_back(verdict=verdict, user=editor, reason="Cite the census table.")
        page = as_reviewer.get(reverse("admin:claims_verdict_change", args=[verdict.pk])).content.decode()
        assert "sent it back on" in page
        assert "Cite the census table." in page

    def test_the_retract_page_says_what_readers_will_see(self, as_editor):
        verdict = VerdictFactory(published=True)
        page = as_editor.get(reverse("admin:claims_verdict_move", args=[verdict.pk, "retract"])).content.decode()
        assert f"{settings.PUBLIC_URL}/factchecks/{verdict.slug}/" in page
        assert "No earlier version becomes the fact-check again." in page

    def test_starting_or_submitting_a_correction_says_readers_keep_the_published_version(self, as_editor, reviewer):
        verdict = VerdictFactory(published=True)
        address = f"{settings.PUBLIC_URL}/factchecks/{verdict.slug}/"
        page = as_editor.get(reverse("admin:claims_verdict_move", args=[verdict.pk, "correct"])).content.decode()
        assert f"readers keep seeing this version at {address} until an editor publishes the correction" in page
        correction = workflow.verdict_correct(verdict=verdict, user=reviewer, reason="Year")
        url = reverse("admin:claims_verdict_move", args=[correction.pk, "submit-for-review"])
        assert f"readers keep seeing what {address} shows now" in as_editor.get(url).content.decode()

    def test_a_correction_without_its_note_is_refused_with_a_message(self, as_editor, reviewer):
        correction = workflow.verdict_correct(verdict=VerdictFactory(published=True), user=reviewer, reason="Year")
        Verdict.objects.filter(pk=correction.pk).update(change_note="")
        url = reverse("admin:claims_verdict_move", args=[correction.pk, "submit-for-review"])
        response = as_editor.post(url, {"read_version": correction.version}, follow=True)
        assert "Say what this version changes and why" in messages_of(response)[0]
        assert Verdict.objects.get(pk=correction.pk).status == Verdict.Status.DRAFT

    def test_evidence_a_published_verdict_cites_is_read_only_and_stays(self, as_editor):
        verdict = VerdictFactory(published=True)
        evidence = EvidenceFactory(claim=verdict.claim)
        change = reverse("admin:claims_evidence_change", args=[evidence.pk])
        assert 'name="_save"' not in as_editor.get(change).content.decode()
        assert as_editor.post(change, {"title": "Changed"}).status_code == 403
        assert (
            as_editor.post(reverse("admin:claims_evidence_delete", args=[evidence.pk]), {"post": "yes"}).status_code
            == 403
        )
        data = {
            "text": verdict.claim.text,
            "notes": "",
            "evidence-TOTAL_FORMS": 1,
            "evidence-INITIAL_FORMS": 1,
            "evidence-0-id": evidence.pk,
            "evidence-0-claim": verdict.claim_id,
            "evidence-0-title": evidence.title,
            "evidence-0-url": evidence.url,
            "evidence-0-stance": evidence.stance,
            "evidence-0-kind": evidence.kind,
            "evidence-0-DELETE": "on",
            "verdicts-TOTAL_FORMS": 0,
            "verdicts-INITIAL_FORMS": 0,
        }
        response = as_editor.post(reverse("admin:claims_claim_change", args=[verdict.claim_id]), data)
        assert "is cited by a verdict in review or published" in response.content.decode()
        assert Evidence.objects.filter(pk=evidence.pk).exists()

    def test_editors_edit_the_methodology_and_readers_read_it(self, as_editor, client):
        methodology = Methodology.objects.get()
        url = reverse("admin:claims_methodology_change", args=[methodology.pk])
        fields = {
            name: getattr(methodology, name) for name in ("introduction", "process", "how_to_request_a_correction")
        }
        response = as_editor.post(url, {**fields, "corrections_policy": "We correct within a day."})
        assert response.status_code == 302
        assert "We correct within a day." in client.get("/methodology/").content.decode()
