"""Importing other fact-checkers' ClaimReview: their fact-checks become published verdicts on claims.

A fact-check is known by its address: one imported before is recognised and left as it is, so
importing the same file twice changes nothing. Speakers, sources and claims are matched as every
intake path matches them (``Speaker.slug_for``, ``Source.key_for``, ``Claim.key``), ratings on
their label; what is missing is created. A textual rating that matches no label of the scale
becomes a new non-ordinal rating: "Falso" is not silently read as "False".

Records are stored in batches, each in one transaction, with bulk inserts and their history rows.
A record that cannot be stored is reported with its position and reason and skipped before
anything is written; if the database still refuses a batch, it is stored again one record at a
time, so that the valid records are kept and no record is ever half-written.

Imports run at once converge. The keys are unique in the database, so of two imports that create
the same speaker, source or claim, one waits for the other and is then refused: it stores its batch
again from the start, where it now finds that record, as if it had been there all along. Each
batch writes in one order (ratings, sources, speakers, claims by key, then the claims it adds to,
locked by id, then verdicts), so that imports wait for one another rather than deadlock, and one
that adds a verdict to a claim sees every verdict that another added before, when it chooses the
claim's current fact-check.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, connection, models, transaction
from django.template.defaultfilters import pluralize

from claims.intake.bulk import analyze, insert, insert_history
from claims.intake.claimreview.reading import Found
from claims.intake.claimreview.records import RecordError, ReviewRecord, Work, review_page, review_record
from claims.models import Claim, CurrentFactCheck, Rating, Source, Speaker, SpeakerKind, Verdict
from claims.text import ascii_slug, field_problems

BATCH_SIZE = 2000
# Tries at a batch, then at each of its records, before the database's refusal is taken for an answer: each
# refusal for a race means another import has stored what this one was about to.
ATTEMPTS = 3
CHANGE_REASON = "Imported from ClaimReview"
# The speaker of a claim whose review names none.
UNKNOWN_SPEAKER = {"slug": "unknown-speaker", "name": "Unknown speaker", "kind": SpeakerKind.ANONYMOUS}


def may_import(user) -> bool:
    """Imported fact-checks are published as they stand: importing them takes an editor's permission to publish."""
    return user.has_perm("claims.publish_verdict")


@dataclass
class ImportSummary:
    """What an import did: counts, the ratings it had to create, and each record it skipped with why."""

    created: int = 0
    already_imported: int = 0
    # The claims the imported fact-checks review: recorded here, or found already recorded.
    new_claims: int = 0
    recorded_claims: int = 0
    new_ratings: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def read(self) -> int:
        return self.created + self.already_imported + len(self.skipped)

    def sentences(self) -> list[str]:
        """What it did, in words, as the command and the admin say it."""
        counts = f"{self.created} imported, {self.already_imported} already imported, {len(self.skipped)} skipped"
        return [
            f"{self.read} fact-check{pluralize(self.read)} read: {counts}.",
            f"Claims they review: {self.new_claims} new, {self.recorded_claims} already recorded.",
        ]

    def plus(self, other: "ImportSummary") -> "ImportSummary":
        """The summary of both imports: counts added, lists joined."""
        return ImportSummary(
            created=self.created + other.created,
            already_imported=self.already_imported + other.already_imported,
            new_claims=self.new_claims + other.new_claims,
            recorded_claims=self.recorded_claims + other.recorded_claims,
            new_ratings=[*self.new_ratings, *other.new_ratings],
            skipped=[*self.skipped, *other.skipped],
        )

    def add(self, other: "ImportSummary") -> None:
        vars(self).update(vars(self.plus(other)))

    def after(self, earlier: "ImportSummary") -> "ImportSummary":
        """This summary of an import run again after an interrupted run of it had committed ``earlier``: what that
        run stored counts as imported, not as already imported, and what it skipped was skipped again."""
        return ImportSummary(
            created=earlier.created + self.created,
            already_imported=self.already_imported - earlier.created,
            new_claims=earlier.new_claims + self.new_claims,
            recorded_claims=earlier.recorded_claims + self.recorded_claims,
            new_ratings=[*earlier.new_ratings, *self.new_ratings],
            skipped=self.skipped,
        )


# Called inside each batch's transaction with the summary as it stands once the batch commits: whatever it
# writes commits with the batch, or not at all.
Checkpoint = Callable[[ImportSummary], None]


# What an import writes, each with its history, and the report's summary; analyzed at its end (``bulk.analyze``).
WRITTEN_MODELS = (Rating, Source, Speaker, Claim, Verdict)


def claim_reviews_import(
    found: Iterable[Found],
    *,
    user=None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[ImportSummary], None] | None = None,
    checkpoint: Checkpoint | None = None,
) -> ImportSummary:
    """Store the fact-checks of ``found`` (``reading.find_claim_reviews``) as published verdicts of their publishers.

    A lost connection to the database ends the import with its ``OperationalError`` or ``InterfaceError``: the
    batches committed stay, and the import can simply run again."""
    summary = ImportSummary()
    first_position: dict[str, str] = {}
    batch: list[ReviewRecord] = []
    for item in found:
        record = _readable(item, summary)
        if record is None:
            continue
        if record.url in first_position:
            summary.skipped.append((record.position, f"repeats the fact-check at {first_position[record.url]}"))
            continue
        first_position[record.url] = record.position
        batch.append(record)
        if len(batch) == batch_size:
            _store_batch(batch, user, summary, checkpoint)
            batch = []
            if progress:
                progress(summary)
    if batch:
        _store_batch(batch, user, summary, checkpoint)
    if progress:
        progress(summary)
    if summary.created:
        histories = [written.history.model for written in WRITTEN_MODELS]
        analyze([*WRITTEN_MODELS, *histories, CurrentFactCheck])
    return summary


def _readable(item: Found, summary: ImportSummary) -> ReviewRecord | None:
    if item.problem:
        summary.skipped.append((item.position, item.problem))
        return None
    try:
        return review_record(item)
    except RecordError as error:
        summary.skipped.append((item.position, str(error)))
        return None


def _store_batch(records: list[ReviewRecord], user, summary: ImportSummary, checkpoint: Checkpoint | None) -> None:
    # Something only the database could see, most often a concurrent import that stored the same speakers,
    # sources or claims first: stored again, the batch finds them.
    if _refusal(records, user, summary, checkpoint) is None:
        return
    # Still refused: find the records at fault.
    for record in records:
        if (refusal := _refusal([record], user, summary, checkpoint)) is not None:
            summary.skipped.append((record.position, f"the database refused it: {refusal}".strip()))


def _refusal(records: list[ReviewRecord], user, summary: ImportSummary, checkpoint) -> DatabaseError | None:
    """None once ``records`` are stored in one transaction, else the database's last refusal of ``ATTEMPTS``."""
    for _ in range(ATTEMPTS):
        try:
            _store_atomically(records, user, summary, checkpoint)
        except DatabaseError as error:
            if _database_away(error):  # no record is at fault, and no other try here can store one
                raise
            refusal = error
        else:
            return None
    return refusal


def _database_away(error: DatabaseError) -> bool:
    """Whether ``error`` is the connection to the database lost, rather than a refusal of what was written."""
    return isinstance(error, OperationalError | InterfaceError) and not connection.is_usable()


def _store_atomically(records: list[ReviewRecord], user, summary: ImportSummary, checkpoint) -> None:
    """Store the records not imported before, reading what is stored afresh; ``summary`` counts them once
    they are committed."""
    with transaction.atomic():
        known = set(Verdict.objects.filter(url__in=[record.url for record in records]).values_list("url", flat=True))
        batch = _Batch([record for record in records if record.url not in known], user)
        batch.write()
        stored = ImportSummary(
            created=len(batch.records),
            already_imported=len(known),
            new_claims=batch.new_claims,
            recorded_claims=batch.recorded_claims,
            new_ratings=[rating.label for rating in batch.new_ratings],
            skipped=batch.skipped,
        )
        if checkpoint:
            checkpoint(summary.plus(stored))
    summary.add(stored)


class _Batch:
    """The records of one batch, resolved against what is stored, checked, then written in bulk."""

    def __init__(self, records: list[ReviewRecord], user):
        self.user = user
        self.skipped: list[tuple[str, str]] = []
        self.new_claims = self.recorded_claims = 0
        self.ratings = _RatingScale()
        # A review that names no page where the claim appeared is itself where the newsroom found it.
        records = [
            record if record.appearance else replace(record, appearance=review_page(record)) for record in records
        ]
        slugs = {_speaker_slug(record) for record in records}
        self.speakers = _Known(Speaker.objects.by_slug(slugs))
        self.sources = _Known(Source.objects.by_key(_work_key(work) for work in _works(records)))
        self.records = [checked for record in records if (checked := self._checked(record))]

    def _checked(self, record: ReviewRecord) -> ReviewRecord | None:
        """``record`` if everything it would store is valid."""
        try:
            self.ratings.get(record.rating_label)
            self.speakers.get_or_build(_speaker_slug(record), lambda: _speaker(record))
            source = self._source(record.appearance, build=True)
            if record.first_appearance:
                self._source(record.first_appearance, build=True)
            if record.claim_date and source.published_on and record.claim_date > source.published_on:
                raise RecordError(
                    f"itemReviewed.datePublished {record.claim_date} is after {source.published_on}, "
                    "the date of the page where the claim appeared"
                )
            # Its addresses were checked as the record was read.
            _validate(_verdict(record, claim=None, rating=None), "claim", "rating", "url", "publisher_url")
        except RecordError as error:
            self.skipped.append((record.position, str(error)))
            return None
        return record

    def _source(self, work: Work, *, build: bool = False) -> Source:
        key = _work_key(work)
        return self.sources.get_or_build(key, lambda: _source(work)) if build else self.sources.get(key)

    @property
    def new_ratings(self) -> list[Rating]:
        return [rating for rating in self.ratings.new.values() if rating.pk]

    def write(self) -> None:
        """Write what the records need, each table in the order of its keys (``_Known.create``), in the order
        of the tables that every batch follows."""
        if not self.records:
            return
        self.ratings.create(self.user, needed={record.rating_label.casefold() for record in self.records})
        self.sources.create(self.user, needed={_work_key(work) for work in _works(self.records)})
        self.speakers.create(self.user, needed={_speaker_slug(record) for record in self.records})
        claims, new_claims = self._claims()
        new_ids = {claim.pk for claim in new_claims}
        stored = _locked_current_verdicts([claim.pk for claim in claims.values() if claim.pk not in new_ids])
        verdicts = [
            _verdict(record, claim=claims[_claim_key(record)], rating=self.ratings.get(record.rating_label))
            for record in self.records
        ]
        _create(sorted(verdicts, key=lambda verdict: verdict.url), self.user)
        _refresh_current_verdicts(list(claims.values()))
        # New claims are recorded once, with the current verdict they have just been given.
        insert_history(new_claims, user=self.user, reason=CHANGE_REASON)
        changed = [
            claim for claim in claims.values() if claim.pk in stored and claim.current_verdict_id != stored[claim.pk]
        ]
        insert_history(changed, user=self.user, reason=CHANGE_REASON, update=True)

    def _claims(self) -> tuple[dict[tuple, Claim], list[Claim]]:
        """Each record's claim by ``_claim_key`` (the stored one with its source and text, else a new
        one, inserted here), and the new ones."""
        by_claim = {_claim_key(record): record for record in self.records}
        sources = {key: self._source(record.appearance) for key, record in by_claim.items()}
        stored = Claim.objects.by_key((sources[key].pk, record.claim_text) for key, record in by_claim.items())
        claims, new = {}, []
        for key, record in by_claim.items():
            claim = stored.get((sources[key].pk, record.claim_text))
            if claim is None:
                claim = self._claim(record)
                new.append(claim)
            claims[key] = claim
        new.sort(key=lambda claim: claim.key)
        insert(new)
        self.new_claims, self.recorded_claims = len(new), len(claims) - len(new)
        return claims, new

    def _claim(self, record: ReviewRecord) -> Claim:
        return Claim(
            text=record.claim_text,
            speaker=self.speakers.get(_speaker_slug(record)),
            source=self._source(record.appearance),
            first_appearance=self._source(record.first_appearance) if record.first_appearance else None,
            claim_date=record.claim_date,
            status=Claim.Status.PUBLISHED,
            created_by=self.user,
        )


class _Known:
    """Records of one model by the key intake matches them on: those stored, and those this batch will create."""

    def __init__(self, stored: dict):
        self.by_key = stored
        self.new: dict = {}

    def get(self, key):
        return self.by_key.get(key) or self.new[key]

    def get_or_build(self, key, build: Callable[[], models.Model]):
        if key not in self.by_key and key not in self.new:
            obj = build()
            _validate(obj)
            self.new[key] = obj
        return self.get(key)

    def create(self, user, *, needed: set) -> None:
        """Create the new records that ``needed`` keys name, in the order of their keys; those of records skipped
        since are dropped."""
        _create([obj for key, obj in sorted(self.new.items()) if key in needed], user)


class _RatingScale:
    """The ratings by label, read case-blind; unknown labels become new non-ordinal ratings."""

    def __init__(self):
        self.by_label = {rating.label.casefold(): rating for rating in Rating.objects.all()}
        self.slugs = {rating.slug for rating in self.by_label.values()}
        self.new: dict[str, Rating] = {}

    def get(self, label: str) -> Rating:
        rating = self.by_label.get(label.casefold())
        if rating is None:
            rating = Rating(label=label, slug=self._free_slug(label), value=None)
            _validate(rating)
            self.by_label[label.casefold()] = self.new[label.casefold()] = rating
        return rating

    def _free_slug(self, label: str) -> str:
        base = ascii_slug(label, max_length=90)
        slug, number = base, 1
        while slug in self.slugs:
            number += 1
            slug = f"{base}-{number}"
        self.slugs.add(slug)
        return slug

    def create(self, user, *, needed: set[str]) -> None:
        _create([rating for key, rating in sorted(self.new.items()) if key in needed], user)


def _speaker_slug(record: ReviewRecord) -> str:
    return Speaker.slug_for(record.speaker_name) if record.speaker_name else UNKNOWN_SPEAKER["slug"]


def _speaker(record: ReviewRecord) -> Speaker:
    if not record.speaker_name:
        return Speaker(**UNKNOWN_SPEAKER)
    return Speaker(
        slug=_speaker_slug(record),
        name=record.speaker_name,
        kind=record.speaker_kind,
        role=record.speaker_role,
        same_as=record.speaker_same_as,
    )


def _work_key(work: Work) -> tuple:
    return Source.key_for(url=work.url, title=work.title, publisher=work.publisher)


def _works(records: list[ReviewRecord]) -> list[Work]:
    return [work for record in records for work in (record.appearance, record.first_appearance) if work]


def _source(work: Work) -> Source:
    return Source(url=work.url, title=work.title, publisher=work.publisher, published_on=work.published_on)


def _claim_key(record: ReviewRecord) -> tuple:
    return (_work_key(record.appearance), record.claim_text)


def _verdict(record: ReviewRecord, *, claim: Claim | None, rating: Rating | None) -> Verdict:
    return Verdict(
        claim=claim,
        rating=rating,
        headline=record.headline,
        summary=record.summary,
        status=Verdict.Status.PUBLISHED,
        published_at=record.published_at,
        url=record.url,
        language=record.language,
        publisher_name=record.publisher_name,
        publisher_url=record.publisher_url,
        rating_url=record.rating_url,
    )


def _validate(obj: models.Model, *exclude: str) -> None:
    try:
        obj.clean_fields(exclude=["slug", *exclude] if isinstance(obj, Verdict) else list(exclude))
    except ValidationError as error:
        raise RecordError(f"{obj._meta.verbose_name} {field_problems(error.message_dict)}") from None


def _create(objs: list, user) -> None:
    insert(objs)
    insert_history(objs, user=user, reason=CHANGE_REASON)


def _locked_current_verdicts(pks: list[int]) -> dict[int, int | None]:
    """Lock the stored claims a batch adds verdicts to, in the order of their ids (PostgreSQL; SQLite lets one
    writer in at a time), and read their current verdicts: a concurrent import that adds to the same claims
    waits until this one commits, and then sees its verdicts."""
    locked = Claim.objects.filter(pk__in=pks).order_by("pk").select_for_update(of=("self",))
    return dict(locked.values_list("pk", "current_verdict_id"))


def _refresh_current_verdicts(claims: list[Claim]) -> None:
    """Point each claim at its current fact-check, as the workflow does for the newsroom's own: one
    UPDATE for them all, whose result the claims in memory are given."""
    touched = Claim.objects.filter(pk__in=[claim.pk for claim in claims])
    touched.refresh_current_verdicts()
    current = dict(touched.values_list("pk", "current_verdict_id"))
    for claim in claims:
        claim.current_verdict_id = current[claim.pk]
