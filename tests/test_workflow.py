"""The workflow rules of docs/architecture.md ("The workflow"): legal moves, roles, four eyes, no lost updates."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from claims import workflow
from claims.models import Claim, Verdict
from tests.factories import ClaimFactory, UserFactory, VerdictFactory, rating

pytestmark = pytest.mark.django_db


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


class TestClaimTriage:
    def test_an_editor_marks_a_new_claim_check_worthy(self, editor):
        claim = workflow.claim_mark_checkworthy(claim=ClaimFactory(), user=editor)
        assert reload(claim).status == Claim.Status.CHECKWORTHY

    def test_a_reviewer_may_not_triage(self, reviewer):
        claim = ClaimFactory()
        with pytest.raises(workflow.NotAllowedError, match="rex may not mark check-worthy claim"):
            workflow.claim_mark_checkworthy(claim=claim, user=reviewer)
        assert reload(claim).status == Claim.Status.NEW

    def test_an_editor_rejects_a_claim_with_a_reason(self, editor):
        claim = workflow.claim_reject(claim=ClaimFactory(), user=editor, reason="Opinion, not fact")
        claim = reload(claim)
        assert (claim.status, claim.rejection_reason) == (Claim.Status.REJECTED, "Opinion, not fact")

    def test_it_refuses_a_rejection_without_reason(self, editor):
        claim = ClaimFactory()
        with pytest.raises(workflow.WorkflowError, match="without a reason"):
            workflow.claim_reject(claim=claim, user=editor, reason="  ")
        assert reload(claim).status == Claim.Status.NEW

    def test_a_rejected_claim_can_be_reconsidered(self, editor):
        claim = workflow.claim_reject(claim=ClaimFactory(), user=editor, reason="Vague")
        claim = workflow.claim_mark_checkworthy(claim=claim, user=editor)
        assert (reload(claim).status, reload(claim).rejection_reason) == (Claim.Status.CHECKWORTHY, "")

    def test_an_editor_assigns_a_check_worthy_claim_to_a_reviewer(self, editor, reviewer):
        claim = workflow.claim_mark_checkworthy(claim=ClaimFactory(), user=editor)
        workflow.claim_assign(claim=claim, user=editor, assignee=reviewer)
        claim = reload(claim)
        assert (claim.status, claim.assignee) == (Claim.Status.ASSIGNED, reviewer)

    def test_a_reviewer_takes_a_claim_but_cannot_hand_one_to_others(self, editor, reviewer):
        claim = workflow.claim_mark_checkworthy(claim=ClaimFactory(), user=editor)
        other = UserFactory(role="reviewer")
        with pytest.raises(workflow.NotAllowedError, match="may take claims but not assign them to others"):
            workflow.claim_assign(claim=claim, user=reviewer, assignee=other)
        workflow.claim_assign(claim=claim, user=reviewer, assignee=reviewer)
        assert reload(claim).assignee == reviewer

    def test_it_refuses_to_assign_a_researcher(self, editor, researcher):
        claim = workflow.claim_mark_checkworthy(claim=ClaimFactory(), user=editor)
        with pytest.raises(workflow.NotAllowedError, match="rita is not a reviewer"):
            workflow.claim_assign(claim=claim, user=editor, assignee=researcher)

    def test_it_refuses_to_assign_a_claim_nobody_triaged(self, editor, reviewer):
        claim = ClaimFactory()
        with pytest.raises(workflow.IllegalMoveError) as caught:
            workflow.claim_assign(claim=claim, user=editor, assignee=reviewer)
        assert str(caught.value) == (
            f"Cannot assign claim {claim.pk}: it is new. Allowed from new: mark check-worthy, reject."
        )


class TestVerdictDrafting:
    def test_a_reviewer_drafts_a_verdict_on_an_assigned_claim(self, reviewer):
        claim = ClaimFactory(assigned=True)
        verdict = workflow.verdict_create(verdict=Verdict(claim=claim, headline="Wrong"), author=reviewer)
        assert (verdict.status, verdict.author) == (Verdict.Status.DRAFT, reviewer)

    def test_it_refuses_a_verdict_on_an_untriaged_claim(self, reviewer):
        claim = ClaimFactory()
        with pytest.raises(workflow.IllegalMoveError, match=f"Cannot draft a verdict claim {claim.pk}: it is new"):
            workflow.verdict_create(verdict=Verdict(claim=claim), author=reviewer)
        assert not Verdict.objects.exists()

    def test_a_researcher_may_not_draft(self, researcher):
        with pytest.raises(workflow.NotAllowedError):
            workflow.verdict_create(verdict=Verdict(claim=ClaimFactory(assigned=True)), author=researcher)

    def test_a_draft_is_edited_but_stays_on_its_claim(self):
        verdict = VerdictFactory()
        workflow.verdict_update(verdict=verdict, user=verdict.author, changes={"headline": "Rewritten"})
        assert reload(verdict).headline == "Rewritten"
        with pytest.raises(ValidationError) as caught:
            workflow.verdict_update(
                verdict=reload(verdict), user=verdict.author, changes={"claim": ClaimFactory(assigned=True)}
            )
        assert set(caught.value.message_dict) == {"claim"}
        assert reload(verdict).claim_id == verdict.claim_id

    def test_the_author_submits_a_complete_draft_and_the_claim_goes_to_review(self):
        verdict = VerdictFactory()
        workflow.verdict_submit(verdict=verdict, user=verdict.author)
        assert reload(verdict).status == Verdict.Status.IN_REVIEW
        assert reload(verdict.claim).status == Claim.Status.IN_REVIEW

    def test_it_refuses_to_submit_a_draft_without_rating(self):
        verdict = VerdictFactory(rating=None)
        with pytest.raises(Exception, match="needs a rating, a headline and a summary"):
            workflow.verdict_submit(verdict=verdict, user=verdict.author)
        assert reload(verdict).status == Verdict.Status.DRAFT

    def test_another_reviewer_may_not_submit_someone_elses_draft(self):
        verdict = VerdictFactory()
        with pytest.raises(workflow.NotAllowedError, match="Only the author or an editor"):
            workflow.verdict_submit(verdict=verdict, user=UserFactory(role="reviewer"))


class TestPublishing:
    def test_a_second_editor_publishes_a_verdict_in_review(self, editor):
        verdict = workflow.verdict_publish(verdict=VerdictFactory(in_review=True), editor=editor)
        verdict = reload(verdict)
        assert (verdict.status, verdict.approved_by) == (Verdict.Status.PUBLISHED, editor)
        assert verdict.published_at is not None
        assert reload(verdict.claim).status == Claim.Status.PUBLISHED
        assert verdict.claim.current_verdict == verdict

    def test_the_author_can_never_publish_their_own_verdict(self, editor):
        claim = ClaimFactory(status=Claim.Status.ASSIGNED, assignee=editor)
        verdict = VerdictFactory(claim=claim, author=editor, in_review=True)
        with pytest.raises(workflow.NotAllowedError, match=r"edna wrote verdict .* another editor must approve it"):
            workflow.verdict_publish(verdict=verdict, editor=editor)
        assert reload(verdict).status == Verdict.Status.IN_REVIEW

    def test_a_reviewer_may_not_publish(self, reviewer):
        verdict = VerdictFactory(in_review=True)
        with pytest.raises(workflow.NotAllowedError, match="their role does not allow it"):
            workflow.verdict_publish(verdict=verdict, editor=reviewer)

    def test_it_names_the_state_and_the_allowed_moves_when_a_draft_is_published(self, editor):
        verdict = VerdictFactory()
        with pytest.raises(workflow.IllegalMoveError) as caught:
            workflow.verdict_publish(verdict=verdict, editor=editor)
        assert str(caught.value) == (
            f"Cannot publish verdict {verdict.pk}: it is draft. Allowed from draft: submit for review."
        )

    def test_it_refuses_to_publish_a_version_the_editor_did_not_read(self, editor):
        verdict = VerdictFactory(in_review=True)
        read_by_editor = reload(verdict)
        changed = reload(verdict)
        changed.summary = "Changed after the editor read it."
        changed.save()
        with pytest.raises(workflow.ConflictError, match="changed by someone else since you read it"):
            workflow.verdict_publish(verdict=read_by_editor, editor=editor)
        assert reload(verdict).status == Verdict.Status.IN_REVIEW

    def test_an_editor_sends_a_verdict_back_to_its_author_saying_why(self, editor):
        verdict = VerdictFactory(in_review=True, claim__status=Claim.Status.IN_REVIEW)
        with pytest.raises(workflow.WorkflowError, match="without a reason"):
            workflow.verdict_send_back(verdict=verdict, user=editor, reason=" ")
        workflow.verdict_send_back(verdict=verdict, user=editor, reason="Cite the 2018 census table.")
        assert reload(verdict).status == Verdict.Status.DRAFT
        assert reload(verdict).history.first().history_change_reason == "Send back: Cite the 2018 census table."
        assert reload(verdict.claim).status == Claim.Status.ASSIGNED

    def test_an_editor_who_changed_a_draft_may_not_publish_it(self, editor, second_editor):
        verdict = VerdictFactory()
        workflow.verdict_update(verdict=verdict, user=editor, changes={"rating": rating("true")})
        verdict = workflow.verdict_submit(verdict=reload(verdict), user=verdict.author)
        with pytest.raises(workflow.NotAllowedError, match="edna changed the text or rating of verdict"):
            workflow.verdict_publish(verdict=verdict, editor=editor)
        workflow.verdict_publish(verdict=verdict, editor=second_editor)
        assert reload(verdict).status == Verdict.Status.PUBLISHED

    def test_an_editor_who_only_sent_it_back_may_still_publish_it(self, editor):
        verdict = VerdictFactory(in_review=True, claim__status=Claim.Status.IN_REVIEW)
        verdict = workflow.verdict_send_back(verdict=verdict, user=editor, reason="Add the source.")
        verdict = workflow.verdict_submit(verdict=verdict, user=verdict.author)
        workflow.verdict_publish(verdict=verdict, editor=editor)
        assert reload(verdict).status == Verdict.Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections: PostgreSQL only")
@pytest.mark.usefixtures("data_migrations")
def test_two_editors_publishing_at_once_publish_it_once():
    verdict = VerdictFactory(in_review=True)
    editors = [UserFactory(role="editor"), UserFactory(role="editor")]
    barrier = threading.Barrier(2)
    outcomes = []

    def publish(editor):
        copy = reload(verdict)
        barrier.wait()
        try:
            workflow.verdict_publish(verdict=copy, editor=editor)
            outcomes.append("published")
        except workflow.WorkflowError as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(editor,)) for editor in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ConflictError", "published"]
    assert reload(verdict).history.filter(status=Verdict.Status.PUBLISHED).count() == 1


class TestRetractionAndCorrection:
    def test_an_editor_retracts_with_a_reason_and_the_record_stays(self, editor):
        verdict = VerdictFactory(published=True, claim__status=Claim.Status.PUBLISHED)
        workflow.verdict_retract(verdict=verdict, editor=editor, reason="The source data was withdrawn.")
        verdict = reload(verdict)
        assert (verdict.status, verdict.retraction_reason) == (
            Verdict.Status.RETRACTED,
            "The source data was withdrawn.",
        )
        assert verdict.headline == "The figure is wrong"
        # The claim stays published: its fact-check's page keeps its address, with the retraction.
        assert reload(verdict.claim).status == Claim.Status.PUBLISHED
        assert verdict.claim.current_verdict is None
        event = verdict.claim.factcheck_events.first()
        assert (event.kind, event.note, event.by) == ("retracted", "The source data was withdrawn.", editor)

    def test_it_refuses_a_retraction_without_reason(self, editor):
        verdict = VerdictFactory(published=True)
        with pytest.raises(workflow.WorkflowError, match="without a reason"):
            workflow.verdict_retract(verdict=verdict, editor=editor, reason="")
        assert reload(verdict).status == Verdict.Status.PUBLISHED

    def test_a_reviewer_may_not_retract(self, reviewer):
        with pytest.raises(workflow.NotAllowedError):
            workflow.verdict_retract(verdict=VerdictFactory(published=True), editor=reviewer, reason="No")

    def test_a_correction_is_a_new_version_and_becomes_current_once_published(self, reviewer, editor):
        original = VerdictFactory(published=True, claim__status=Claim.Status.PUBLISHED)
        correction = workflow.verdict_correct(verdict=original, user=reviewer, reason="The year was 2018.")
        assert (correction.status, correction.corrects, correction.headline, correction.change_note) == (
            Verdict.Status.DRAFT,
            original,
            original.headline,
            "The year was 2018.",
        )
        correction.headline = "The figure is wrong, and the year too"
        correction.save()
        correction = workflow.verdict_submit(verdict=correction, user=reviewer)
        workflow.verdict_publish(verdict=correction, editor=editor)
        assert reload(original.claim).current_verdict == correction
        assert reload(original).headline == "The figure is wrong"
        assert reload(original).status == Verdict.Status.SUPERSEDED
        assert reload(correction.claim).slug == original.slug  # one address
        event = correction.claim.factcheck_events.first()
        assert (event.kind, event.note, event.verdict) == ("corrected", "The year was 2018.", correction)

    def test_it_refuses_to_correct_a_draft(self, reviewer):
        with pytest.raises(workflow.IllegalMoveError, match=r"Cannot correct verdict .* it is draft"):
            workflow.verdict_correct(verdict=VerdictFactory(), user=reviewer, reason="Typo")

    def test_a_correction_needs_a_reason_and_a_note_readers_see(self, reviewer):
        original = VerdictFactory(published=True)
        with pytest.raises(workflow.WorkflowError, match="without a reason"):
            workflow.verdict_correct(verdict=original, user=reviewer, reason="")
        correction = workflow.verdict_correct(verdict=original, user=reviewer, reason="Wrong year")
        correction = workflow.verdict_update(verdict=correction, user=reviewer, changes={"change_note": " "})
        with pytest.raises(ValidationError) as caught:
            workflow.verdict_submit(verdict=correction, user=reviewer)
        assert set(caught.value.message_dict) == {"change_note"}
        assert reload(correction).status == Verdict.Status.DRAFT

    def test_retracting_a_correction_does_not_bring_the_corrected_version_back(self, reviewer, editor):
        original = VerdictFactory(published=True)
        correction = workflow.verdict_correct(verdict=original, user=reviewer, reason="Wrong year")
        correction = workflow.verdict_submit(verdict=correction, user=reviewer)
        correction = workflow.verdict_publish(verdict=correction, editor=editor)
        workflow.verdict_retract(verdict=correction, editor=editor, reason="The whole check was flawed.")
        assert reload(original).status == Verdict.Status.SUPERSEDED
        assert reload(original.claim).current_verdict is None

    def test_an_earlier_version_comes_back_only_by_reinstating_it_with_a_reason(self, reviewer, editor):
        original = VerdictFactory(published=True)
        correction = workflow.verdict_correct(verdict=original, user=reviewer, reason="Wrong year")
        correction = workflow.verdict_publish(
            verdict=workflow.verdict_submit(verdict=correction, user=reviewer), editor=editor
        )
        with pytest.raises(workflow.WorkflowError, match="without a reason"):
            workflow.verdict_reinstate(verdict=reload(original), editor=editor, reason="")
        workflow.verdict_reinstate(verdict=reload(original), editor=editor, reason="The correction was itself wrong.")
        assert (reload(original).status, reload(correction).status) == ("published", "superseded")
        assert reload(original.claim).current_verdict == original
        event = original.claim.factcheck_events.first()
        assert (event.kind, event.note, event.verdict) == ("reinstated", "The correction was itself wrong.", original)

    def test_a_correction_of_a_version_no_longer_current_is_refused(self, reviewer, editor, second_editor):
        original = VerdictFactory(published=True)
        first = workflow.verdict_correct(verdict=original, user=reviewer, reason="Wrong year")
        second = workflow.verdict_correct(verdict=original, user=reviewer, reason="Wrong month")
        workflow.verdict_publish(verdict=workflow.verdict_submit(verdict=first, user=reviewer), editor=editor)
        second = workflow.verdict_submit(verdict=second, user=reviewer)
        with pytest.raises(workflow.IllegalMoveError, match="no longer the claim's current fact-check"):
            workflow.verdict_publish(verdict=second, editor=second_editor)
        assert reload(second).status == Verdict.Status.IN_REVIEW

    def test_a_new_verdict_on_a_published_fact_check_is_refused_in_favour_of_a_correction(self, reviewer):
        published = VerdictFactory(published=True, author=reviewer)
        with pytest.raises(workflow.IllegalMoveError, match="correct it instead"):
            workflow.verdict_create(verdict=Verdict(claim=published.claim, headline="Again"), author=reviewer)

    def test_another_publishers_fact_check_is_neither_corrected_nor_retracted_here(self, editor, reviewer):
        imported = VerdictFactory(imported=True, headline="Falso")
        with pytest.raises(workflow.IllegalMoveError, match="Other Fact-Checker's fact-check"):
            workflow.verdict_retract(verdict=imported, editor=editor, reason="We disagree.")
        with pytest.raises(workflow.IllegalMoveError, match="Other Fact-Checker's fact-check"):
            workflow.verdict_correct(verdict=imported, user=reviewer, reason="We disagree.")


def test_the_history_names_who_made_each_move_outside_a_web_request(editor):
    verdict = workflow.verdict_publish(verdict=VerdictFactory(in_review=True), editor=editor)
    assert verdict.history.latest().history_user == editor
    assert verdict.claim.history.latest().history_user == editor


def test_it_lists_the_moves_a_user_may_make(editor, reviewer):
    verdict = VerdictFactory(in_review=True)
    assert workflow.moves_for(verdict, editor) == ["send back", "publish"]
    assert workflow.moves_for(verdict, reviewer) == []
