"""The verdict report: its numbers against counts made here, its filters, visibility and cost."""

import datetime
import re
from collections import Counter

import pytest
from django.conf import settings

from claims.models import Verdict
from tests.factories import ClaimFactory, SourceFactory, SpeakerFactory, TopicFactory, VerdictFactory, rating

REPORT = "/reports/verdicts/"


def at(year: int, month: int, day: int = 15) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


@pytest.fixture
def desk():
    """Fact-checks of three speakers over three months, with ratings chosen so that every count differs."""
    speakers = [SpeakerFactory(name=name) for name in ("Ana Alves", "Ben Brook", "Cy Chen")]
    plan = [
        (0, "false", at(2024, 1)),
        (0, "false", at(2024, 1)),
        (0, "true", at(2024, 3)),
        (1, "false", at(2024, 3)),
        (1, "misleading", at(2024, 3)),
        (1, "mostly-true", at(2024, 3)),
        (2, "false", at(2024, 4)),
    ]
    for who, slug, when in plan:
        VerdictFactory(published=True, claim__speaker=speakers[who], rating=rating(slug), published_at=when)
    VerdictFactory(claim__speaker=speakers[0], headline="Draft headline")  # a draft: never counted for the public
    return {"speakers": speakers, "plan": plan}


def numbers_in_table(html: str, caption: str) -> dict[str, list[str]]:
    """The rows of the table with this caption: header cell, then the numbers."""
    table = html[html.index(f"<caption>{caption}</caption>") :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S)
    return {re.sub(r"<.*?>", "", head): re.findall(r"<td>(\d+)</td>", cells) for head, cells in rows}


@pytest.mark.django_db
class TestNumbers:
    def test_totals_and_ratings_equal_counts_made_independently(self, client, desk):
        response = client.get(REPORT)
        assert response.status_code == 200
        html = response.content.decode()
        expected = Counter(slug for _, slug, _ in desk["plan"])

        assert re.search(r'id="total-factchecks">(\d+)<', html).group(1) == str(len(desk["plan"]))
        shown = numbers_in_table(html, "Fact-checks by rating")
        labels = {"false": "False", "true": "True", "misleading": "Misleading", "mostly-true": "Mostly true"}
        for slug, label in labels.items():
            assert shown[label] == [str(expected[slug])]
        assert shown["Half true"] == ["0"]

    def test_ratings_by_speaker_equal_counts_made_independently(self, client, desk):
        html = client.get(REPORT).content.decode()
        shown = numbers_in_table(html, "Fact-checks of the speakers checked most often")
        report = client.get(REPORT).context["report"]
        scale = [share.rating.slug for share in report.ratings]
        for index, speaker in enumerate(desk["speakers"]):
            counts = Counter(slug for who, slug, _ in desk["plan"] if who == index)
            assert shown[speaker.name] == [str(counts[slug]) for slug in scale] + [str(sum(counts.values()))]
        assert list(shown) == ["Ana Alves", "Ben Brook", "Cy Chen"]  # most checked first

    def test_the_months_run_from_the_first_to_the_last_with_empty_months_shown(self, client, desk):
        html = client.get(REPORT).content.decode()
        per_month = Counter(when.strftime("%B %Y") for _, _, when in desk["plan"])
        titles = dict(re.findall(r"<title>(\w+ \d{4}): (\d+)</title>", html))
        assert titles == {
            "January 2024": str(per_month["January 2024"]),
            "February 2024": "0",
            "March 2024": str(per_month["March 2024"]),
            "April 2024": str(per_month["April 2024"]),
        }

    def test_the_charts_are_svg_drawn_on_the_server_with_a_pattern_per_rating(self, client, desk):
        html = client.get(REPORT).content.decode()
        assert html.count('<svg class="chart"') == 3
        assert "<script" not in html
        for slug in ("false", "true", "misleading", "mostly-true"):
            assert f'<pattern id="rating-{slug}"' in html
            assert f'fill="url(#rating-{slug})"' in html

    def test_it_links_each_fact_check_and_the_downloads_of_the_same_selection(self, client, desk):
        ana = desk["speakers"][0]
        html = client.get(REPORT, {"speaker": ana.pk}).content.decode()
        for verdict in Verdict.objects.filter(claim__speaker=ana, status=Verdict.Status.PUBLISHED):
            # Absolute, so that a printed or saved report keeps working links.
            assert f'href="{settings.PUBLIC_URL}/factchecks/{verdict.slug}/"' in html
        for filename in ("verdicts.csv", "verdicts.json", "claimreview.json"):
            assert f'href="/api/v1/exports/{filename}?speaker={ana.pk}"' in html


@pytest.mark.django_db
class TestSelection:
    def test_filters_choose_the_fact_checks_counted(self, client, desk):
        ana = desk["speakers"][0]
        report = client.get(REPORT, {"speaker": ana.pk}).context["report"]
        assert report.total == sum(1 for who, _, _ in desk["plan"] if who == 0)
        march = client.get(REPORT, {"published_after": "2024-03-01", "published_before": "2024-03-31"})
        assert march.context["report"].total == sum(1 for _, _, when in desk["plan"] if when.month == 3)

    def test_publisher_topic_and_source_filters_apply(self, client):
        wire = SourceFactory(publisher="Wire Service")
        on_wire = VerdictFactory(published=True, claim__source=wire)
        on_topic = VerdictFactory(published=True)
        on_topic.claim.topics.add(TopicFactory(slug="health"))
        VerdictFactory(published=True)
        assert client.get(REPORT, {"publisher": "Wire Service"}).context["report"].total == 1
        assert client.get(REPORT, {"source": wire.pk}).context["report"].latest == [on_wire]
        assert client.get(REPORT, {"topic": "health"}).context["report"].latest == [on_topic]

    def test_the_latest_fact_checks_come_before_undated_ones_of_other_publishers(self, client, desk):
        undated = VerdictFactory(imported=True)
        latest = client.get(REPORT).context["report"].latest
        assert latest[0].published_at == max(when for _, _, when in desk["plan"])
        assert latest[-1] == undated

    def test_empty_fields_of_the_form_mean_any(self, client, desk):
        response = client.get(REPORT, {"speaker": "", "publisher": "", "published_after": "", "topic": ""})
        assert response.status_code == 200
        assert response.context["report"].total == len(desk["plan"])

    def test_bad_filters_are_named_with_400(self, client, desk):
        response = client.get(REPORT, {"speaker": "ana", "published_after": "last week"})
        assert response.status_code == 400
        html = response.content.decode()
        assert "These filters cannot be applied" in html
        assert "<strong>speaker</strong>" in html
        assert "<strong>published</strong>" in html

    def test_the_public_never_sees_drafts_counted_staff_may_ask_for_them(self, client, desk, editor, researcher):
        client.force_login(researcher)
        assert client.get(REPORT, {"status": "draft"}).context["report"].total == 0
        assert "Draft headline" not in client.get(REPORT).content.decode()
        client.force_login(editor)
        drafts = client.get(REPORT, {"status": "draft"})
        assert drafts.context["report"].total == 1
        assert "Draft headline" in drafts.content.decode()

    def test_an_empty_selection_says_so(self, client, db):
        html = client.get(REPORT).content.decode()
        assert 'id="total-factchecks">0<' in html
        assert "No fact-checks to show." in html

    def test_the_report_costs_the_same_queries_for_few_and_many_fact_checks(self, client, django_assert_num_queries):
        VerdictFactory(published=True)
        client.get(REPORT)
        # Session-free: topics for the form, ratings by month, the scale, the leading speakers, their counts by
        # rating and their names, the latest fact-checks (the ids of the dated, of the undated while fewer than
        # 20, the verdicts).
        with django_assert_num_queries(9):
            client.get(REPORT)
        for _ in range(12):
            VerdictFactory(published=True, claim=ClaimFactory(assigned=True))
        with django_assert_num_queries(9):
            client.get(REPORT)

    def test_a_speaker_drills_down_within_the_same_period(self, client, desk):
        html = client.get(REPORT, {"published_after": "2024-03-01"}).content.decode()
        ben = desk["speakers"][1]
        assert f'href="?published_after=2024-03-01&amp;speaker={ben.pk}"' in html
