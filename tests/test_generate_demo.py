"""The synthetic demo corpus (``manage.py generate_demo``), at 200 claims on either database."""

import re
from collections import Counter
from io import StringIO
from itertools import pairwise

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F

from claims.models import Claim, Evidence, Source, Speaker, Topic, Verdict
from tests.factories import ClaimFactory, EvidenceFactory, SourceFactory, SpeakerFactory, VerdictFactory
from tests.planner import planner_row_count

pytestmark = pytest.mark.django_db

SIZE = 200
ClaimTopic = Claim.topics.through


def generate(*args: str, stderr=None) -> str:
    """Run the command; returns what it printed on stdout."""
    out = StringIO()
    call_command("generate_demo", *args, stdout=out, stderr=stderr or StringIO())
    return out.getvalue()


@pytest.fixture
def summary() -> str:
    """A corpus of SIZE claims with the default seed; the command's summary line."""
    return generate("--claims", str(SIZE))


def row_counts() -> dict[str, int]:
    demo_users = get_user_model().objects.filter(username__startswith="demo-")
    models = {"Topic": Topic, "Speaker": Speaker, "Source": Source, "Claim": Claim, "Verdict": Verdict}
    models |= {"Evidence": Evidence, "ClaimTopic": ClaimTopic}
    return {"users": demo_users.count()} | {name: model.objects.count() for name, model in models.items()}


def corpus() -> list[tuple]:
    """What the same seed must reproduce, claim by claim in the order of their ids."""
    fields = ("pk", "text", "status", "speaker__name", "source__url", "claim_date", "created_at", "assignee__username")
    return list(Claim.objects.order_by("pk").values_list(*fields, "current_verdict__headline"))


def test_it_writes_the_shares_of_statuses_exactly(summary):
    statuses = Counter(Claim.objects.values_list("status", flat=True))
    assert statuses == {"published": 110, "in_review": 20, "assigned": 20, "checkworthy": 20, "new": 20, "rejected": 10}


def test_it_reports_the_rows_it_wrote_on_one_line(summary):
    reported = {label: int(number) for number, label in re.findall(r"(\d+) ([a-z ]+?)[,.]", summary)}
    assert summary.startswith("Generated synthetic demo data with seed 1: ")
    assert summary.count("\n") == 1
    assert reported == {
        "users": 8,
        "topics": 9,
        "speakers": 5,  # at least five; one per hundred claims
        "sources": 10,  # one per twenty claims
        "claims": SIZE,
        "verdicts": Verdict.objects.count(),
        "evidence": Evidence.objects.count(),
        "claim topics": ClaimTopic.objects.count(),
    }
    assert row_counts() == {"users": 8, "Topic": 9, "Speaker": 5, "Source": 10, "Claim": SIZE} | {
        "Verdict": reported["verdicts"],
        "Evidence": reported["evidence"],
        "ClaimTopic": reported["claim topics"],
    }


def test_it_gives_each_published_claim_its_published_verdict_as_current_and_no_other_claim_one(summary):
    for claim in Claim.objects.select_related("current_verdict").prefetch_related("verdicts"):
        published = [verdict for verdict in claim.verdicts.all() if verdict.status == Verdict.Status.PUBLISHED]
        if claim.status == Claim.Status.PUBLISHED:
            assert published == [claim.current_verdict]
            assert claim.current_verdict.claim_id == claim.pk
        else:
            assert published == []
            assert claim.current_verdict is None
    assert not Claim.objects.exclude(status=Claim.Status.PUBLISHED).exclude(current_verdict=None).exists()


def test_it_gives_claims_the_verdicts_their_status_calls_for(summary):
    verdicts = Counter(Verdict.objects.values_list("claim__status", "status"))
    assert verdicts[("published", "published")] == 110
    assert 1 <= verdicts[("published", "retracted")] <= 15  # about 5% of published claims
    assert verdicts[("in_review", "in_review")] == 20
    assert 5 <= verdicts[("assigned", "draft")] < 20  # most, not all, assigned claims have a draft
    assert not Verdict.objects.filter(claim__status__in=["new", "checkworthy", "rejected"]).exists()
    assert not Claim.objects.filter(status__in=["assigned", "in_review", "published"], assignee=None).exists()
    assert not Claim.objects.filter(status="rejected", rejection_reason="").exists()


def test_it_has_published_verdicts_approved_by_an_editor_who_did_not_write_them(summary):
    published = Verdict.objects.filter(status__in=["published", "retracted"])
    assert published.count() > 110
    for verdict in published.select_related("author", "approved_by", "rating"):
        assert verdict.author.groups.filter(name="reviewer").exists()
        assert verdict.approved_by.groups.filter(name="editor").exists()
        assert verdict.approved_by != verdict.author
        assert verdict.published_at > verdict.created_at
        assert verdict.rating
        assert verdict.headline
        assert verdict.summary
        assert (verdict.language, verdict.version) == ("en", 1)
        if verdict.status == Verdict.Status.RETRACTED:
            assert verdict.retracted_at > verdict.published_at
            assert verdict.retraction_reason
    assert len(set(published.values_list("rating", flat=True))) >= 5  # the scale is used, weighted


def test_it_writes_rows_that_pass_full_clean_and_keep_every_foreign_key(summary):
    for model in (Speaker, Source, Topic, Claim, Verdict, Evidence):
        for record in model.objects.order_by("pk")[:60]:
            record.full_clean()  # model and database constraints, and the rules that span records
    for user in get_user_model().objects.filter(username__startswith="demo-"):
        user.full_clean()
    assert not Claim.objects.filter(claim_date__gt=F("source__published_on")).exists()
    connection.check_constraints()  # the deferred foreign keys, which a rolled-back test never commits


def test_it_marks_every_record_as_synthetic(summary):
    assert not Claim.objects.exclude(notes__startswith="Synthetic demo data").exists()
    assert not Claim.objects.exclude(topics__slug="synthetic-demo").exists()
    assert set(Claim.objects.annotate(n=Count("topics")).values_list("n", flat=True)) == {1, 2}
    assert not Source.objects.exclude(publisher__startswith="Synthetic Demo ").exists()
    assert not Source.objects.exclude(url__startswith="https://demo.invalid/").exists()
    assert not Evidence.objects.exclude(url__startswith="https://demo.invalid/").exists()
    assert all(re.fullmatch(r"Demo Speaker \d{4}", name) for name in Speaker.objects.values_list("name", flat=True))
    users = get_user_model().objects.filter(username__startswith="demo-")
    assert sorted(users.values_list("username", "groups__name")) == [
        *((f"demo-editor-{n}", "editor") for n in (1, 2, 3)),
        *((f"demo-reviewer-{n}", "reviewer") for n in (1, 2, 3, 4, 5)),
    ]
    assert not any(user.has_usable_password() for user in users)


def foreign_keys() -> dict[tuple[str, str], tuple]:
    tables = [model._meta.db_table for model in (Speaker, Source, Claim, Verdict, Evidence, ClaimTopic)]
    with connection.cursor() as cursor:
        return {
            (table, name): (tuple(info["columns"]), info["foreign_key"])
            for table in tables
            for name, info in connection.introspection.get_constraints(cursor, table).items()
            if info["foreign_key"]
        }


def test_it_keeps_every_foreign_key_of_the_tables_it_writes():
    before = foreign_keys()
    generate("--claims", str(SIZE))
    assert foreign_keys() == before  # PostgreSQL's are dropped during the load and checked once at the end
    assert len(before) >= 15


def test_it_writes_checkable_statements_with_common_and_rare_words(summary):
    texts = list(Claim.objects.values_list("text", flat=True))
    assert len(set(texts)) == SIZE
    assert all(80 <= len(text) <= 200 for text in texts)
    words = Counter(word for text in texts for word in set(re.findall(r"[a-z]+", text.lower())))
    assert 0.05 * SIZE <= words["government"] <= 0.2 * SIZE  # a template's word: about one claim in ten
    assert sum(1 for count in words.values() if count == 1) >= 100  # made-up places, mostly
    assert all(re.search(r"\d", text) for text in texts)
    # Search finds the common word as often as it occurs, and a place name in few claims.
    assert Claim.objects.search("government").count() == words["government"]
    place = re.search(r" in ([A-Z][a-z]+)", texts[0]).group(1)
    assert 1 <= Claim.objects.search(place).count() <= 5


def test_it_records_claims_at_distinct_times_in_the_order_of_their_ids(summary):
    times = list(Claim.objects.order_by("pk").values_list("created_at", flat=True))
    assert all(earlier < later for earlier, later in pairwise(times))


def test_it_makes_the_same_corpus_from_the_same_seed():
    with transaction.atomic():
        generate("--claims", str(SIZE), "--seed", "7")
        first = corpus()
        transaction.set_rollback(True)
    assert not Claim.objects.exists()
    generate("--claims", str(SIZE), "--seed", "7")
    assert corpus() == first


def test_it_makes_another_corpus_from_another_seed():
    with transaction.atomic():
        generate("--claims", str(SIZE), "--seed", "7")
        first = {text for _, text, *_ in corpus()}
        transaction.set_rollback(True)
    generate("--claims", str(SIZE), "--seed", "8")
    assert not first & {text for _, text, *_ in corpus()}


def test_it_lets_the_public_see_only_published_claims(summary):
    anonymous = AnonymousUser()
    assert Claim.objects.visible_to(anonymous).count() == Claim.objects.filter(status="published").count() == 110
    visible_verdicts = Verdict.objects.visible_to(anonymous)
    assert set(visible_verdicts.values_list("status", flat=True)) == {"published", "retracted"}
    assert not visible_verdicts.exclude(claim__status="published").exists()


def test_it_continues_the_id_sequences_after_the_generated_rows(summary):
    largest = {model: model.objects.order_by("-pk").values_list("pk", flat=True)[0] for model in (Claim, Verdict)}
    verdict = VerdictFactory()
    assert verdict.pk > largest[Verdict]
    assert verdict.claim.pk > largest[Claim]
    EvidenceFactory(claim=verdict.claim)
    SpeakerFactory()
    SourceFactory()
    ClaimFactory().topics.add(Topic.objects.get(slug="synthetic-demo"))


@pytest.mark.parametrize("claims", ["0", "-5", "many"])
def test_it_refuses_a_number_of_claims_that_is_not_positive_and_writes_nothing(claims):
    with pytest.raises(CommandError, match="--claims"):
        generate("--claims", claims)
    assert set(row_counts().values()) == {0}


def test_it_refuses_a_database_that_already_holds_demo_data_and_writes_nothing(summary):
    before = row_counts()
    with pytest.raises(CommandError, match=r"already holds demo data.*fresh database"):
        generate("--claims", "10", "--seed", "2")
    assert row_counts() == before


def test_it_leaves_nothing_behind_when_a_run_fails(monkeypatch):
    def fail():
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("claims.intake.demo._reset_sequences", fail)  # the last step, once every row is written
    with pytest.raises(RuntimeError, match="disk is full"):
        generate("--claims", str(SIZE))
    assert set(row_counts().values()) == {0}


def test_it_shows_progress_on_a_terminal(terminal):
    generate("--claims", str(SIZE), stderr=terminal)
    assert terminal.getvalue() == f"\rclaims {SIZE}/{SIZE}\n"


def test_it_stays_quiet_when_piped():
    piped = StringIO()
    generate("--claims", str(SIZE), stderr=piped)
    assert piped.getvalue() == ""


def test_it_leaves_the_planner_informed_of_the_rows_it_wrote(summary):
    for model in (Speaker, Source, Claim, Verdict, Evidence, ClaimTopic):
        assert planner_row_count(model) == model.objects.count() > 0, model.__name__
