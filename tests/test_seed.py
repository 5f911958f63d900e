"""The seed article and its curated claims, and the loader's promises: complete, idempotent, all or nothing."""

import datetime
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from claims.intake.seed import SeedError, load_seed
from claims.models import Claim, Source, Speaker, Topic, quote_key

pytestmark = pytest.mark.django_db

SEEDS = Path(settings.BASE_DIR) / "seeds"
SEED_FILE = SEEDS / "newsweek-2019-07-05-pompeo-venezuela.yaml"
ARTICLE_URL = "https://www.newsweek.com/mike-pompeo-russia-undesired-foreign-presence-venezuela-1447736"
SHARED_ARTICLE = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "000_6fdace10fca785c4.txt"


@pytest.fixture
def seeded():
    load_seed(SEED_FILE)
    return Source.objects.get(url=ARTICLE_URL)


def row_counts() -> dict[str, int]:
    models = [Claim, Source, Speaker, Topic, Claim.history.model, Claim.topics.through]
    return {model.__name__: model.objects.count() for model in models}


class TestTheSeedArticle:
    def test_it_is_the_newsweek_article_of_5_july_2019(self, seeded):
        assert (seeded.publisher, seeded.published_on, seeded.kind) == (
            "Newsweek",
            datetime.date(2019, 7, 5),
            "news_article",
        )
        assert seeded.title.startswith("Mike Pompeo Calls Russia an 'Undesired Foreign Presence' in Venezuela")
        assert seeded.text == (SEEDS / "newsweek-2019-07-05-pompeo-venezuela.txt").read_text(encoding="utf-8")

    @pytest.mark.skipif(not SHARED_ARTICLE.exists(), reason="../shared/seeds is not on this machine")
    def test_it_is_an_exact_copy_of_the_shared_seed(self):
        assert (SEEDS / "newsweek-2019-07-05-pompeo-venezuela.txt").read_bytes() == SHARED_ARTICLE.read_bytes()

    def test_it_holds_well_over_a_dozen_claims_from_every_kind_of_speaker(self, seeded):
        claims = seeded.claims.all()
        assert claims.count() >= 18
        speakers = set(claims.values_list("speaker__slug", flat=True))
        assert {
            "mike-pompeo",
            "sergei-ryabkov",
            "us-state-department",
            "anonymous-us-official",
            "newsweek",
            "afp",
        } <= speakers

    def test_every_claim_is_complete(self, seeded):
        for claim in seeded.claims.select_related("speaker").prefetch_related("topics"):
            assert claim.text, claim
            assert claim.context, claim
            assert claim.speaker.kind, claim
            assert claim.claim_date is not None, claim
            assert claim.notes.startswith("Date: "), claim
            assert len(claim.notes) > 20, claim
            assert claim.topics.exists(), claim
            assert claim.status == Claim.Status.NEW, claim

    def test_verbatim_quotes_and_contexts_are_really_in_the_article(self, seeded):
        article = quote_key(seeded.text)
        verbatim = seeded.claims.filter(is_verbatim=True)
        assert verbatim.count() >= 12
        for claim in verbatim:
            assert quote_key(claim.text) in article, claim.text
        for claim in seeded.claims.all():
            assert quote_key(claim.context) in article, claim.context
            assert quote_key(claim.text) in quote_key(claim.context) or not claim.is_verbatim, claim.text

    def test_no_claim_is_dated_after_the_article(self, seeded):
        assert not seeded.claims.filter(claim_date__gt=seeded.published_on).exists()

    def test_dates_are_worked_out_from_the_article(self, seeded):
        def date_of(text_start):
            claim = seeded.claims.get(text__startswith=text_start)
            return claim.claim_date, claim.claim_date_precision

        assert date_of("Once again, the Venezuelan people") == (datetime.date(2019, 7, 4), "day")  # "one day after"
        assert date_of("concerns maintenance") == (datetime.date(2019, 7, 5), "day")  # "on Friday"
        assert date_of("The landing of around 100 Russian troops") == (datetime.date(2019, 3, 1), "month")  # "in March"
        assert date_of("Venezuelan Defense Minister Vladimir Padrino") == (
            datetime.date(2018, 12, 10),
            "day",
        )  # caption

    def test_it_names_where_claims_were_first_made(self, seeded):
        first_made_in = dict(
            seeded.claims.filter(first_appearance__isnull=False).values_list(
                "speaker__slug", "first_appearance__publisher"
            )
        )
        assert first_made_in["mike-pompeo"] == "U.S. Department of State"
        assert first_made_in["sergei-ryabkov"] == "Tass"
        assert first_made_in["anonymous-us-official"] == "Reuters"


class TestLoading:
    def test_loading_again_changes_nothing_and_says_so(self, seeded):
        before = row_counts()
        out = StringIO()
        call_command("load_seed", stdout=out)
        assert row_counts() == before
        assert out.getvalue().startswith(f"{SEED_FILE.name}: already loaded, nothing changed (20 claims, 5 sources")

    def test_the_first_load_reports_what_it_created(self):
        out = StringIO()
        call_command("load_seed", stdout=out)
        assert out.getvalue() == f"{SEED_FILE.name}: created 20 claims, 5 sources, 7 speakers, 6 topics.\n"

    def test_an_edited_seed_updates_only_what_changed(self, seeded, tmp_path):
        copy = copy_seed(tmp_path, ("role: U.S. Secretary of State", "role: Secretary of State of the United States"))
        report = load_seed(copy)
        assert dict(report.updated) == {"speaker": 1}
        assert Speaker.objects.get(slug="mike-pompeo").role == "Secretary of State of the United States"

    def test_it_refuses_to_change_what_a_published_claim_was_checked_for(self, seeded, tmp_path):
        claim = seeded.claims.get(claim_date=datetime.date(2018, 12, 10))
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PUBLISHED)
        path = copy_seed(tmp_path, ("claim_date: 2018-12-10", "claim_date: 2018-12-11"))
        with pytest.raises(SeedError) as caught:
            load_seed(path)
        assert caught.value.field_name == "claims[19].claim_date"
        assert "published" in caught.value.problem
        assert Claim.objects.get(pk=claim.pk).claim_date == datetime.date(2018, 12, 10)


def copy_seed(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """A copy of the seed file (with its article) with each (old, new) edit applied once."""
    shutil.copy(SEEDS / "newsweek-2019-07-05-pompeo-venezuela.txt", tmp_path)
    text = SEED_FILE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "seed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def last_line_with(path: Path, fragment: str) -> int:
    return max(number for number, line in enumerate(path.read_text().splitlines(), 1) if fragment.strip() in line)


BROKEN_SEEDS = [
    pytest.param(
        "claim_date: 2018-12-10",
        "claim_date: 2019-12-10",
        "claims[19].claim_date",
        "after its source's publication date",
        id="claim dated after the article",
    ),
    pytest.param(
        "speaker: afp\n", "speaker: afpx\n", "claims[19].speaker", "unknown speaker 'afpx'", id="unknown speaker"
    ),
    pytest.param(
        "text: concerns maintenance of equipment delivered there",
        "text: concerns maintenance of weapons delivered there",
        "claims[5].text",
        "does not occur in the source's text",
        id="verbatim quote not in the article",
    ),
    pytest.param(
        "is_verbatim: true", "is_verbatim: maybe", "claims[0].is_verbatim", "expected a bool", id="wrong type"
    ),
    pytest.param("    kind: anonymous", "    kind: ghost", "speakers[3].kind", "not a valid choice", id="bad choice"),
    pytest.param("date_basis: Ryabkov", "dated_by: Ryabkov", "claims[3].dated_by", "unknown field", id="unknown field"),
    pytest.param(
        "topics: [russia, military-support]\n",
        "topics: [russia, weather]\n",
        "claims[5].topics",
        "unknown topics",
        id="unknown topic",
    ),
    pytest.param(
        "  - slug: afp\n", "  - slug: newsweek\n", "speakers[6].slug", "appears twice", id="duplicate speaker"
    ),
    pytest.param(
        "  - slug: mike-pompeo\n",
        "  - slug: pompeo\n",
        "speakers[0].slug",
        "expected 'mike-pompeo', the slug of the name, on which intake matches speakers",
        id="speaker slug not the name's",
    ),
    pytest.param(
        "    is_verbatim: true",
        "      is_verbatim: true  # indented too far",
        "(syntax)",
        "not allowed here",
        id="YAML syntax",
    ),
]


@pytest.mark.parametrize(("old", "new", "field", "problem"), BROKEN_SEEDS)
def test_a_broken_seed_names_the_line_and_field_and_writes_nothing(tmp_path, old, new, field, problem):
    path = copy_seed(tmp_path, (old, new))
    before = row_counts()
    with pytest.raises(SeedError) as caught:
        load_seed(path)
    error = caught.value
    assert (error.field_name, error.line) == (field, last_line_with(path, new))
    assert problem in error.problem
    assert row_counts() == before


def test_a_broken_seed_undoes_the_changes_it_made_before_the_error(seeded, tmp_path):
    path = copy_seed(
        tmp_path, ("role: U.S. Secretary of State", "role: Changed"), ("speaker: afp\n", "speaker: afpx\n")
    )
    before = row_counts()
    with pytest.raises(SeedError):
        load_seed(path)
    assert row_counts() == before
    assert Speaker.objects.get(slug="mike-pompeo").role == "U.S. Secretary of State"


def test_the_command_fails_with_one_readable_line(tmp_path):
    path = copy_seed(tmp_path, ("speaker: afp\n", "speaker: afpx\n"))
    with pytest.raises(CommandError) as caught:
        call_command("load_seed", str(path))
    message = str(caught.value)
    assert "\n" not in message
    line = last_line_with(path, "speaker: afpx")
    assert message.startswith(
        f"Seed not loaded, nothing was changed. {path}:{line}: claims[19].speaker: unknown speaker"
    )
