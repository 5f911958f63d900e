"""The verdict report's summary of current fact-checks (``CurrentFactCheck``): kept by every way a fact-check becomes
current or stops being, read by the report, checked and rebuilt by ``check_report_summary``."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from claims import workflow
from claims.intake.demo import generate_demo
from claims.models import CurrentFactCheck, Verdict
from tests.factories import ClaimFactory, VerdictFactory, rating
from tests.test_import_claimreview import import_json, review
from tests.test_reports import numbers_in_table

pytestmark = pytest.mark.django_db


def summary_rows() -> set[tuple]:
    return set(CurrentFactCheck.objects.values_list(*CurrentFactCheck.COLUMNS))


def current_as_the_rule_says() -> set[tuple]:
    return set(Verdict.objects.current().values_list(*CurrentFactCheck.SOURCES))


def row_of(verdict: Verdict) -> tuple:
    published = verdict.published_at
    month = published.date().replace(day=1)  # the site's time zone is UTC
    return (verdict.claim_id, verdict.pk, verdict.rating_id, verdict.claim.speaker_id, published, month)


class TestKeptByWhatMakesAFactCheckCurrent:
    def test_publishing_correcting_retracting_and_reinstating(self, publish, editor, reviewer, second_editor):
        first = publish(ClaimFactory())
        assert summary_rows() == {row_of(first)} == current_as_the_rule_says()

        correction = workflow.verdict_correct(verdict=first, user=reviewer, reason="The census was revised.")
        workflow.verdict_update(verdict=correction, user=reviewer, changes={"rating": rating("false")})
        assert summary_rows() == {row_of(first)}  # a draft correction changes nothing readers see
        workflow.verdict_submit(verdict=Verdict.objects.get(pk=correction.pk), user=reviewer)
        corrected = workflow.verdict_publish(verdict=Verdict.objects.get(pk=correction.pk), editor=second_editor)
        assert summary_rows() == {row_of(corrected)} == current_as_the_rule_says()
        assert CurrentFactCheck.objects.get().rating.slug == "false"

        workflow.verdict_retract(verdict=corrected, editor=editor, reason="The source was forged.")
        assert summary_rows() == set() == current_as_the_rule_says()

        workflow.verdict_reinstate(verdict=Verdict.objects.get(pk=corrected.pk), editor=editor, reason="It was not.")
        assert summary_rows() == {row_of(Verdict.objects.get(pk=corrected.pk))} == current_as_the_rule_says()

    def test_an_import_adds_the_fact_checks_it_makes_current(self):
        VerdictFactory(published=True)
        import_json([review(number) for number in range(1, 6)])
        assert len(summary_rows()) == 6
        assert summary_rows() == current_as_the_rule_says()

    def test_deleting_a_claim_or_a_draft_leaves_no_row_behind(self):
        draft = VerdictFactory()
        assert not summary_rows()
        draft.delete()
        draft.claim.delete()
        assert not CurrentFactCheck.objects.exists()

    def test_the_synthetic_corpus_comes_with_its_summary(self):
        generate_demo(claims=60)
        assert len(summary_rows()) == 33  # 11 published in every 20 claims
        assert summary_rows() == current_as_the_rule_says()


class TestTheReportReadsIt:
    def test_the_numbers_come_from_the_summary_and_agree_with_the_verdicts(self, client, editor):
        for slug in ("false", "false", "true"):
            VerdictFactory(published=True, rating=rating(slug))
        CurrentFactCheck.objects.filter(rating__slug="true").update(rating=rating("false"))  # tampered with here
        public = client.get("/reports/verdicts/").content.decode()
        assert re.search(r'id="total-factchecks">(\d+)<', public).group(1) == "3"
        assert numbers_in_table(public, "Fact-checks by rating")["True"] == ["0"]  # as altered in the summary

        client.force_login(editor)
        # A status filter chooses among every verdict: the verdicts themselves are counted.
        staff = client.get("/reports/verdicts/", {"status": "published"}).content.decode()
        assert numbers_in_table(staff, "Fact-checks by rating")["True"] == ["1"]

    def test_filters_on_the_claim_and_on_the_verdict_choose_the_same_fact_checks(self, client):
        kept = VerdictFactory(published=True, rating=rating("false"), language="pt")
        VerdictFactory(published=True, rating=rating("true"))
        for params in (
            {"speaker": kept.claim.speaker_id},
            {"rating": "false"},
            {"language": "pt"},
            {"claim": kept.claim_id},
        ):
            html = client.get("/reports/verdicts/", params).content.decode()
            assert re.search(r'id="total-factchecks">(\d+)<', html).group(1) == "1", params

    def test_a_misspelt_filter_is_refused_as_on_the_exports(self, client):
        response = client.get("/reports/verdicts/", {"speker": "1"})
        assert response.status_code == 400
        assert "speker is not a filter" in response.content.decode()


class TestCheckReportSummary:
    def test_it_says_the_summary_agrees(self):
        VerdictFactory(published=True)
        out = io.StringIO()
        call_command("check_report_summary", stdout=out)
        assert out.getvalue() == "The report summary holds the 1 current fact-checks.\n"

    def test_it_fails_on_a_difference_and_changes_nothing_without_repair(self):
        kept, lost = VerdictFactory(published=True), VerdictFactory(published=True)
        CurrentFactCheck.objects.filter(pk=lost.claim_id).delete()
        CurrentFactCheck.objects.filter(pk=kept.claim_id).update(rating=rating("true"))
        before = summary_rows()
        with pytest.raises(CommandError, match="2 rows of the report summary differ"):
            call_command("check_report_summary")
        assert summary_rows() == before

        out = io.StringIO()
        call_command("check_report_summary", "--repair", stdout=out)
        assert "2 rows differed" in out.getvalue()
        assert summary_rows() == current_as_the_rule_says() == {row_of(kept), row_of(lost)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans of PostgreSQL queries")
def test_the_latest_fact_checks_are_read_in_the_order_of_an_index():
    VerdictFactory(published=True)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table of one row is otherwise read whole
        cursor.execute("SET LOCAL enable_sort = off")
    dated = CurrentFactCheck.objects.filter(published_at__isnull=False).order_by("-published_at", "-verdict_id")
    undated = CurrentFactCheck.objects.filter(published_at__isnull=True).order_by("-verdict_id")
    assert "current_factcheck_latest" in dated[:20].explain()
    assert "current_factcheck_undated" in undated[:20].explain()
