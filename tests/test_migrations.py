"""Migrations that move data keep what readers saw: tested from the schema before them, on rows made there."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from claims.models import Claim, CurrentFactCheck, Evidence, FactCheckEvent, Methodology, Source, Verdict

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


BEFORE_THE_KEYS = ("claims", "0013_history_reasons_in_full")


class At0013:
    """Rows made with the models as they were before the keys were unique."""

    def __init__(self, apps):
        self.apps = apps
        model = lambda name: apps.get_model("claims", name)  # noqa: E731
        self.Source, self.Claim, self.Verdict, self.Evidence = (
            model(n) for n in ("Source", "Claim", "Verdict", "Evidence")
        )
        self.Topic = model("Topic")
        User = apps.get_model("auth", "User")
        self.reviewer, self.editor = (User.objects.create(username=name) for name in ("rex", "edna"))
        self.false, _ = model("Rating").objects.get_or_create(slug="false", defaults={"label": "False", "value": 1})
        self.speaker = model("Speaker").objects.create(name="Ana Ruiz", slug="ana-ruiz")
        self.day = 0

    def created(self, obj):
        """Each row a day after the one before, so that "the oldest" is the one made first."""
        self.day += 1
        type(obj).objects.filter(pk=obj.pk).update(created_at=at(self.day))
        return obj

    def source(self, title="Budget speech", publisher="Wire", url=""):
        return self.created(self.Source.objects.create(title=title, publisher=publisher, url=url))

    def claim(self, source, text, status="new", **fields):
        claim = self.Claim.objects.create(text=text, speaker=self.speaker, source=source, status=status, **fields)
        return self.created(claim)

    def imported(self, claim, number: int):
        verdict = self.Verdict.objects.create(
            claim=claim,
            rating=self.false,
            status="published",
            publisher_name=f"Checker {number}",
            url=f"https://checker{number}.example/1",
            published_at=at(number),
        )
        self.Claim.objects.filter(pk=claim.pk).update(current_verdict=verdict)
        return verdict


@pytest.mark.django_db(transaction=True)
def test_the_keys_merge_what_was_recorded_twice():
    before = At0013(migrate(BEFORE_THE_KEYS))
    page = before.source(url="https://news.example/speech")
    # Six imports of the same review at once: six copies, each published with its publisher's verdict.
    copies = [before.claim(page, "Taxes rose.", status="published") for _ in range(6)]
    imported = [before.imported(copy, number) for number, copy in enumerate(copies, start=1)]
    # The same source twice (no URL: title and publisher), each with a copy of one claim. The newer copy is the
    # one in the workflow, with a draft of ours: it stays.
    wire, wire_again = before.source(), before.source()
    first_copy = before.claim(wire, "Crime doubled.", notes="From the wire.", first_appearance=wire_again)
    in_work = before.claim(wire_again, "Crime doubled.", status="assigned", assignee=before.reviewer)
    draft = before.Verdict.objects.create(
        claim=in_work, rating=before.false, headline="No", summary="No.", author=before.reviewer
    )
    crime, police = (
        before.Topic.objects.create(name="Crime", slug="crime"),
        before.Topic.objects.create(name="Police", slug="police"),
    )
    first_copy.topics.add(crime, police)
    in_work.topics.add(crime)
    cited = before.Evidence.objects.create(claim=in_work, title="Police figures", url="https://police.example/a")
    draft.evidence.add(cited)
    again = before.Evidence.objects.create(claim=first_copy, title="Police figures", url="https://police.example/a")
    new_link = before.Evidence.objects.create(claim=first_copy, title="Court records", url="https://courts.example/b")
    # A claim in triage, and a copy published by an import since: the oldest stays, published as its copy was.
    triage = before.claim(page, "Rents fell.")
    published_copy = before.claim(page, "Rents fell.", status="published")
    rents = before.imported(published_copy, 7)
    # Alike only in part: these stay as they are.
    other_publisher = before.source(publisher="Other Wire")
    apart = [before.claim(other_publisher, "Crime doubled."), before.claim(page, "Crime doubled.")]

    migrate()

    assert Source.objects.filter(title="Budget speech").count() == 3  # with a URL, without, another publisher's
    assert not Source.objects.filter(pk=wire_again.pk).exists()
    assert Claim.objects.count() == 5
    taxes = Claim.objects.get(text="Taxes rose.")
    assert taxes.pk == copies[0].pk
    assert sorted(taxes.verdicts.values_list("pk", flat=True)) == sorted(verdict.pk for verdict in imported)
    assert taxes.current_verdict_id == imported[-1].pk  # the latest of them all
    crime_claim = Claim.objects.get(text="Crime doubled.", source_id=wire.pk)
    assert crime_claim.pk == in_work.pk
    assert (crime_claim.status, crime_claim.assignee.username) == ("assigned", "rex")
    assert crime_claim.notes == "From the wire."
    assert crime_claim.first_appearance_id is None  # its own; the merged copy's went with it
    assert set(crime_claim.topics.values_list("slug", flat=True)) == {"crime", "police"}
    assert sorted(crime_claim.evidence.values_list("url", flat=True)) == [
        "https://courts.example/b",
        "https://police.example/a",
    ]
    assert not Evidence.objects.filter(pk=again.pk).exists()  # the same link twice: the cited one stays
    assert set(Verdict.objects.get(pk=draft.pk).evidence.values_list("pk", flat=True)) == {cited.pk, new_link.pk}
    rents_claim = Claim.objects.get(text="Rents fell.")
    assert (rents_claim.pk, rents_claim.status, rents_claim.current_verdict_id) == (triage.pk, "published", rents.pk)
    assert all(Claim.objects.filter(pk=claim.pk).exists() for claim in apart)

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(text="Taxes rose.", source=taxes.source, speaker=taxes.speaker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(title="Budget speech", publisher="Wire")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_status", ["assigned", "published"])
def test_the_keys_wait_for_an_editor_where_two_copies_carry_the_newsrooms_work(second_status):
    """Two copies of a claim in the workflow, or the one in the workflow unpublished while a copy is published:
    which stays is an editor's call. The migration says which, and changes nothing."""
    before = At0013(migrate(BEFORE_THE_KEYS))
    page = before.source(url="https://news.example/speech")
    ours = before.claim(page, "Taxes rose.", status="published", slug="taxes-rose-1")
    before.Verdict.objects.create(
        claim=ours,
        rating=before.false,
        headline="No",
        summary="No.",
        status="published",
        author=before.reviewer,
        approved_by=before.editor,
        published_at=at(1),
    )
    if second_status == "assigned":
        copy = before.claim(page, "Taxes rose.", status="assigned", assignee=before.reviewer)
        listed = f"claim {copy.pk} (assigned)"
    else:
        # Ours is published, so a published copy merges into it; an unpublished claim of ours may not take one.
        before.Claim.objects.filter(pk=ours.pk).update(status="assigned", assignee=before.reviewer, slug="")
        copy = before.claim(page, "Taxes rose.", status="published")
        before.imported(copy, 2)
        listed = f"claim {copy.pk} (published)"
    wire = [before.source(), before.source()]  # mergeable, but nothing is merged while anything is refused
    try:
        with pytest.raises(Exception, match="cannot merge them by itself") as refused:
            migrate()
        assert type(refused.value).__name__ == "DuplicatesNeedAnEditor"
        assert f"- source {page.pk}, 'Taxes rose.': claim {ours.pk} (" in str(refused.value)
        assert listed in str(refused.value)
        assert before.Claim.objects.filter(text="Taxes rose.").count() == 2
        assert before.Source.objects.filter(pk__in=[source.pk for source in wire]).count() == 2
        # The editor makes them differ, and the migration goes on.
        before.Claim.objects.filter(pk=copy.pk).update(text="Taxes rose by 2 percent.")
    finally:
        migrate()
    assert Claim.objects.filter(text__startswith="Taxes rose").count() == 2
    assert Source.objects.filter(pk__in=[source.pk for source in wire]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_report_summary_starts_with_every_current_fact_check_and_no_other():
    apps = migrate(("claims", "0017_jobs"))
    User = apps.get_model("auth", "User")
    Rating = apps.get_model("claims", "Rating")
    OldClaim = apps.get_model("claims", "Claim")
    OldVerdict = apps.get_model("claims", "Verdict")
    author, editor = (User.objects.create(username=name) for name in ("rex", "edna"))
    false, _ = Rating.objects.get_or_create(slug="false", defaults={"label": "False", "value": 1})
    speaker = apps.get_model("claims", "Speaker").objects.create(name="Ana Ruiz", slug="ana-ruiz")
    source = apps.get_model("claims", "Source").objects.create(title="Speech", url="https://news.example/speech")
    verdicts = {}
    for name, claim_status, verdict_status in [
        ("current", "published", "published"),
        ("retracted", "assigned", "retracted"),
        ("draft", "assigned", "draft"),
    ]:
        claim = OldClaim.objects.create(text=name, speaker=speaker, source=source, status=claim_status, assignee=author)
        verdicts[name] = OldVerdict.objects.create(
            claim=claim,
            rating=false,
            headline=name,
            summary="No.",
            status=verdict_status,
            author=author,
            approved_by=None if verdict_status == "draft" else editor,
            published_at=None if verdict_status == "draft" else at(day=31 if name == "current" else 1),
            slug=name,
            **({"retracted_at": at(2), "retraction_reason": "Withdrawn."} if verdict_status == "retracted" else {}),
        )
        if name == "current":
            OldClaim.objects.filter(pk=claim.pk).update(current_verdict=verdicts[name])

    migrate()
    current = verdicts["current"]
    assert list(CurrentFactCheck.objects.values_list(*CurrentFactCheck.COLUMNS)) == [
        (current.claim_id, current.pk, false.pk, speaker.pk, at(31), datetime.date(2024, 3, 1))
    ]
    assert CurrentFactCheck.objects.differences() == 0
