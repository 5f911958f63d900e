"""``extract_claims``: candidates printed as a table or JSON, stored with --save once only, bad arguments refused."""

import datetime
import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from claims.intake.claimreview.importing import claim_reviews_import
from claims.intake.claimreview.reading import find_claim_reviews
from claims.intake.extraction import extract
from claims.intake.proposals import extracted_claims_save
from claims.models import Claim, Source, Speaker
from tests.factories import CandidateFactory, SourceFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

SEED_TEXT = "seeds/newsweek-2019-07-05-pompeo-venezuela.txt"
SEED_URL = "https://www.newsweek.com/mike-pompeo-russia-undesired-foreign-presence-venezuela-1447736"
ARTICLE = """\
Port strike enters second week

Dock workers in Rotterdam walked out on Monday, halting 40 percent of the port's container traffic.

"We lost 12 million euros in the first three days," port director Ellen de Vries told Reuters.
"""


def run(*args, stdin: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        if stdin is not None:
            patch.setattr("sys.stdin", io.StringIO(stdin))
        call_command("extract_claims", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def save_seed(*extra: str) -> str:
    seed = ["--source-url", SEED_URL, "--publisher", "Newsweek", "--published-on", "2019-07-05"]
    _, err = run(SEED_TEXT, "--save", *seed, *extra)
    return err


def test_it_prints_candidates_ranked_with_speaker_date_and_score():
    out, _ = run(SEED_TEXT, "--publisher", "Newsweek", "--published-on", "2019-07-05")
    lines = out.splitlines()
    assert lines[0].split() == ["#", "score", "speaker", "date", "text"]
    scores = [float(line.split()[1]) for line in lines[1:]]
    assert scores == sorted(scores, reverse=True)
    assert any("Sergei Ryabkov" in line and "2019-07-05" in line for line in lines)
    assert any("State Department" in line and "2019-03 " in line for line in lines)  # only the month is known


def test_it_prints_one_json_array_with_the_features_behind_each_score():
    out, _ = run("-", "--format", "json", "--publisher", "Port News", "--published-on", "2024-05-16", stdin=ARTICLE)
    candidates = json.loads(out)
    quote = next(c for c in candidates if c["is_verbatim"])
    assert quote["text"] == "We lost 12 million euros in the first three days"
    assert quote["speaker"] == "Ellen de Vries"
    assert {"feature": "number", "weight": 0.15} in quote["features"]
    strike = next(c for c in candidates if "walked out" in c["text"])
    assert (strike["speaker"], strike["claim_date"]) == ("Port News", "2024-05-16")


def test_it_saves_the_source_and_candidates_as_new_claims_once(editor):
    assert "created 20 claims, 0 already recorded" in save_seed("--user", editor.username)
    source = Source.objects.get(url=SEED_URL)
    assert source.title.startswith("Mike Pompeo Calls Russia")  # the headline, for want of --title
    assert source.text
    assert source.published_on == datetime.date(2019, 7, 5)
    claim = Claim.objects.get(text__startswith="concerns maintenance")
    assert (claim.status, claim.is_verbatim, claim.speaker.slug) == (Claim.Status.NEW, True, "sergei-ryabkov")
    proposed = extract(source.text, published_on=source.published_on, publisher="Newsweek")
    score = next(candidate.score for candidate in proposed if candidate.text == claim.text)
    assert (claim.claim_date, claim.created_by, claim.checkworthiness) == (datetime.date(2019, 7, 5), editor, score)
    assert "maintenance of equipment delivered there" in claim.context
    assert Speaker.objects.get(slug="newsweek").kind == Speaker.Kind.ORGANIZATION
    month = Claim.objects.get(speaker__slug="state-department")
    assert (month.claim_date, month.claim_date_precision) == (datetime.date(2019, 3, 1), Claim.DatePrecision.MONTH)

    assert "created 0 claims, 20 already recorded" in save_seed()
    assert Claim.objects.count() == 20
    assert Source.objects.count() == 1


def test_it_reuses_a_recorded_source_and_speakers_by_slug():
    source = SourceFactory(url=SEED_URL, title="Pompeo on Venezuela", publisher="Newsweek", text="")
    pompeo = SpeakerFactory(name="Mike Pompeo", slug="mike-pompeo", role="U.S. Secretary of State")
    save_seed()
    source.refresh_from_db()
    assert source.title == "Pompeo on Venezuela"
    assert source.text  # filled in, as verbatim quotes need it
    assert pompeo.claims.count() == 3
    assert Source.objects.count() == 1


def test_it_matches_a_source_without_url_on_title_and_publisher():
    args = ["-", "--save", "--title", "Port strike", "--publisher", "Port News", "--published-on", "2024-05-16"]
    run(*args, stdin=ARTICLE)
    _, err = run(*args, stdin=ARTICLE)
    assert "created 0 claims" in err
    assert Source.objects.filter(title="Port strike", publisher="Port News").count() == 1


@pytest.mark.parametrize("name", ["Søren Kierkegaard", "习近平", "José Pérez"])
def test_a_speaker_it_stores_is_the_one_a_claimreview_import_names(name):
    candidate = CandidateFactory(text="Unemployment fell by 12 percent in the first three months", speaker=name)
    extracted_claims_save(source=Source(title="Jobs", publisher="Port News"), candidates=[candidate])
    speaker = Speaker.objects.get(name=name)
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checker.example/fact-checks/1",
        "claimReviewed": "Unemployment fell by 12 percent",
        "author": {"@type": "Organization", "name": "Checker"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": name}},
    }
    claim_reviews_import(find_claim_reviews(json.dumps(review)))
    assert list(Speaker.objects.filter(name=name)) == [speaker]
    assert speaker.claims.count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/article.txt"], "Cannot read /no/such/article.txt: No such file or directory."),
        ([SEED_TEXT, "--published-on", "5 July 2019"], "--published-on: '5 July 2019' is not a date; use YYYY-MM-DD."),
        ([SEED_TEXT, "--user", "nobody"], "--user: there is no user 'nobody'."),
        ([SEED_TEXT, "--save", "--source-url", SEED_URL], "--save needs --publisher"),
        ([SEED_TEXT, "--save", "--publisher", "Newsweek", "--source-url", "ftp://x.example"], "Nothing was saved: url"),
    ],
)
def test_it_refuses_bad_arguments_with_one_line_and_stores_nothing(args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")) as error:
        run(*args)
    assert "\n" not in str(error.value)
    assert not Source.objects.exists()
    assert not Claim.objects.exists()


def test_it_needs_a_title_to_save_an_article_without_a_headline():
    with pytest.raises(CommandError, match="--save needs --title"):
        run("-", "--save", "--publisher", "Port News", stdin="Dock workers walked out on Monday in Rotterdam.")


def test_it_refuses_empty_input():
    with pytest.raises(CommandError, match="stdin holds no text"):
        run("-", stdin="  \n")


def test_it_exits_non_zero_with_one_line_on_stderr(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "extract_claims", str(tmp_path / "missing.txt")],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "Cannot read" in result.stderr
