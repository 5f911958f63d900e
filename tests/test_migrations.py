"""Migrations that move data keep what readers saw: tested from the schema before them, on rows made there."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from claims.models import Claim, FactCheckEvent, Methodology, Verdict

BEFORE_THE_PUBLISHED_RECORD = ("claims", "0010_speaker_slug_from_name")


def at(day: int) -> datetime.datetime:
    return datetime.datetime(2024, 3, day, 12, tzinfo=datetime.UTC)


def migrate(target: tuple[str, str] | None = None):
    """Migrate the test database to ``target``, else to the newest migrations; the models as they were there."""
    executor = MigrationExecutor(connection)
    targets = [target] if target else executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_published_record_keeps_every_fact_check_readers_saw():
    apps = migrate(BEFORE_THE_PUBLISHED_RECORD)
    User = apps.get_model("auth", "User")
    Rating = apps.get_model("claims", "Rating")
    Speaker = apps.get_model("claims", "Speaker")
    Source = apps.get_model("claims", "Source")
    OldClaim = apps.get_model("claims", "Claim")
    OldVerdict = apps.get_model("claims", "Verdict")
    Evidence = apps.get_model("claims", "Evidence")
    History = apps.get_model("claims", "HistoricalVerdict")
    author, editor, second = (User.objects.create(username=name) for name in ("rex", "edna", "eli"))
    false, _ = Rating.objects.get_or_create(slug="false", defaults={"label": "False", "value": 1})
    speaker = Speaker.objects.create(name="Ana Ruiz", slug="ana-ruiz")
    source = Source.objects.create(title="Budget speech", url="https://news.example/speech", publisher="Wire")

    def claim(text, status="published", assignee=author):
        return OldClaim.objects.create(text=text, speaker=speaker, source=source, status=status, assignee=assignee)

    def verdict(on, headline, day, **fields):
        values = {"claim": on, "rating": false, "headline": headline, "summary": "No.", "status": "published"}
        values |= {"author": author, "approved_by": editor, "published_at": at(day), "slug": f"{headline}-{day}"}
        return OldVerdict.objects.create(**(values | fields))

    # Corrected: the correction is current, and the original was still "published".
    corrected = claim("Unemployment fell by half.")
    original = verdict(corrected, "wrong", 1)
    correction = verdict(corrected, "still-wrong", 5, corrects=original)
    OldClaim.objects.filter(pk=corrected.pk).update(current_verdict=correction)
    cited = Evidence.objects.create(claim=corrected, title="Census", url="https://stats.example/census")
    # Written by its author, then its headline changed by a second editor: both had a hand in it.
    for day, headline, user, kind in ((2, "draft", author, "+"), (3, "still-wrong", second, "~")):
        History.objects.create(
            id=correction.pk,
            claim=corrected,
            rating=false,
            headline=headline,
            summary="No.",
            status="draft",
            author=author,
            language="en",
            version=day - 1,
            created_at=at(2),
            updated_at=at(day),
            history_date=at(day),
            history_type=kind,
            history_user=user,
        )
    # Retracted, leaving the claim unpublished: its page answered 404.
    withdrawn = claim("Crime doubled.", status="assigned")
    verdict(
        withdrawn, "doubled", 2, status="retracted", retracted_at=at(4), retraction_reason="The data was withdrawn."
    )
    # Another fact-checker's, newer than ours.
    shared = claim("Taxes rose.")
    ours = verdict(shared, "taxes", 3)
    theirs = verdict(
        shared, "", 6, author=None, approved_by=None, slug="", publisher_name="Checker", url="https://checker.example/1"
    )
    OldClaim.objects.filter(pk=shared.pk).update(current_verdict=theirs)

    migrate()

    statuses = dict(Verdict.objects.values_list("pk", "status"))
    assert (statuses[original.pk], statuses[correction.pk]) == ("superseded", "published")
    assert (statuses[ours.pk], statuses[theirs.pk]) == ("published", "published")
    assert Claim.objects.get(pk=corrected.pk).slug == "wrong-1"  # its first address
    assert Claim.objects.get(pk=withdrawn.pk).status == Claim.Status.PUBLISHED  # the retraction keeps its page
    migrated = Verdict.objects.get(pk=correction.pk)
    assert (migrated.change_kind, migrated.change_note) == (
        "correction",
        "Corrected before this tracker recorded what each correction changed.",
    )
    assert migrated.shown["speaker"]["name"] == "Ana Ruiz"
    assert migrated.shown["source"]["url"] == "https://news.example/speech"
    assert list(migrated.evidence.values_list("pk", flat=True)) == [cited.pk]
    assert set(migrated.contributors.values_list("username", flat=True)) == {"rex", "eli"}
    assert Verdict.objects.get(pk=theirs.pk).shown["text"] == "Taxes rose."
    events = list(FactCheckEvent.objects.order_by("happened_at").values_list("claim", "kind", "happened_at"))
    assert events == [
        (corrected.pk, "published", at(1)),
        (withdrawn.pk, "published", at(2)),
        (shared.pk, "published", at(3)),
        (withdrawn.pk, "retracted", at(4)),
        (corrected.pk, "corrected", at(5)),
    ]
    assert Methodology.objects.get().corrections_policy

    pages = [f"/factchecks/{Claim.objects.get(pk=pk).slug}/" for pk in (corrected.pk, withdrawn.pk, shared.pk)]
    assert [Client().get(page).status_code for page in pages] == [200, 200, 200]
    moved = Client().get("/factchecks/still-wrong-5/")
    assert (moved.status_code, moved["Location"]) == (301, "/factchecks/wrong-1/")
