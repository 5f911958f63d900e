"""A reproducible synthetic corpus for benchmarks and demos (``manage.py generate_demo``).

One ``random.Random(seed)`` decides every row, in a fixed order: the same seed and size give the
same speakers, sources, claims, verdicts, evidence and topics on a fresh database. Every record says
that it is synthetic: people are "Demo ..." users and speakers, publishers are "Synthetic Demo ...",
links point under https://demo.invalid/ (a domain reserved never to resolve), and each claim has the
``synthetic-demo`` topic and a note.

Rows are written as the database stores them: with ``COPY`` on PostgreSQL, the fastest way in, and
with ``executemany`` on SQLite. Django's ``bulk_create`` is not the SQLite fallback because it
overwrites ``created_at`` and ``updated_at`` with the clock, which would make them neither
reproducible nor ordered like the ids. Model ``save()`` and signals do not run, so
django-simple-history writes no history rows for synthetic data. Each row still satisfies the
models' check constraints, which the database enforces, and the rules of ``clean()`` that span
records (a claim is never dated after its source).

Generate into a fresh database: the run refuses one that already holds demo data, and on
PostgreSQL it keeps other sessions out of the tables it writes until it commits.
"""

import datetime
import functools
import random
import string
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from psycopg.types.json import Jsonb

from claims.intake.bulk import analyze, copy_rows, stored_fields
from claims.models import (
    Claim,
    ClaimStatus,
    CurrentFactCheck,
    Evidence,
    FactCheckEvent,
    Rating,
    Source,
    Speaker,
    Topic,
    Verdict,
)

ClaimTopic = Claim.topics.through
Citation = Verdict.evidence.through
Contributor = Verdict.contributors.through
Progress = Callable[[int, int], None]  # called with (claims written, claims in all)

DEMO_TOPIC_SLUG = "synthetic-demo"
DEMO_URL = "https://demo.invalid"
REVIEWERS, EDITORS = 5, 3
CLAIMS_PER_SOURCE, CLAIMS_PER_SPEAKER, AT_LEAST = 20, 100, 5
# Claims written per round. A connection runs one COPY at a time, and a claim's verdicts, evidence
# and topics are decided with it: they wait in lists until the round's claims are written.
CHUNK = 5_000

# Each run of 20 claims gets these statuses, shuffled, so that the shares are exact: 55% published,
# 10% each in review, assigned, check-worthy and new, 5% rejected.
STATUS_SHARES = {
    ClaimStatus.PUBLISHED: 11,
    ClaimStatus.IN_REVIEW: 2,
    ClaimStatus.ASSIGNED: 2,
    ClaimStatus.CHECKWORTHY: 2,
    ClaimStatus.NEW: 2,
    ClaimStatus.REJECTED: 1,
}
STATUS_DECK = [status for status, count in STATUS_SHARES.items() for _ in range(count)]
RETRACTED_SHARE = 0.05  # of published claims, which also carry an older, retracted verdict
DRAFT_SHARE = 0.7  # of assigned claims, which have a draft verdict
SUBJECT_TOPIC_SHARE = 0.8  # of claims, which are also filed under the topic of their subject
RATING_WEIGHTS = {
    "true": 10,
    "mostly-true": 14,
    "half-true": 18,
    "mostly-false": 20,
    "false": 22,
    "misleading": 11,
    "unproven": 5,
}
# Claims are recorded evenly over these years; sources follow the same calendar.
START = datetime.datetime(2016, 1, 1, tzinfo=datetime.UTC)
SPAN_DAYS = (datetime.datetime(2025, 10, 1, tzinfo=datetime.UTC) - START).days
SPAN_MICROSECONDS = SPAN_DAYS * 86_400 * 1_000_000


class DemoError(Exception):
    """The corpus cannot be generated: a bad size, or a database that already holds demo data."""


@dataclass(frozen=True)
class Subject:
    """What a claim is about: its topic, and the words that claims about it are made of."""

    slug: str
    name: str
    measures: tuple[str, ...]  # what rises and falls
    budgets: tuple[str, ...]  # what money is spent on
    groups: tuple[str, ...]  # people who are counted


SUBJECTS = (
    Subject(
        "demo-economy",
        "Demo: economy",
        ("unemployment", "youth unemployment", "inflation", "the minimum wage", "household debt", "food prices"),
        ("job training", "small-business grants", "unemployment benefits", "tax rebates"),
        ("workers", "shop owners", "pensioners", "factory workers"),
    ),
    Subject(
        "demo-health",
        "Demo: health",
        ("hospital waiting times", "infant mortality", "life expectancy", "obesity", "vaccination rates"),
        ("public hospitals", "mental health services", "rural clinics", "cancer screening"),
        ("nurses", "patients", "doctors", "carers"),
    ),
    Subject(
        "demo-crime",
        "Demo: crime",
        ("violent crime", "burglaries", "car thefts", "the prison population", "knife crime", "fraud"),
        ("community policing", "prison places", "victim support", "street lighting"),
        ("police officers", "prisoners", "detectives", "prison guards"),
    ),
    Subject(
        "demo-education",
        "Demo: education",
        ("class sizes", "school dropout rates", "teacher salaries", "university enrolment", "literacy"),
        ("free school meals", "teacher training", "school buildings", "student grants"),
        ("teachers", "students", "graduates", "apprentices"),
    ),
    Subject(
        "demo-environment",
        "Demo: environment",
        ("carbon emissions", "air pollution", "forest cover", "recycling", "river pollution", "coal use"),
        ("flood defences", "tree planting", "clean energy", "public parks"),
        ("farmers", "households", "fishermen", "beekeepers"),
    ),
    Subject(
        "demo-migration",
        "Demo: migration",
        ("net migration", "asylum applications", "visa approvals", "deportations", "border crossings"),
        ("border controls", "language courses", "refugee housing", "integration programmes"),
        ("migrants", "asylum seekers", "seasonal workers", "refugees"),
    ),
    Subject(
        "demo-housing",
        "Demo: housing",
        ("house prices", "rents", "homelessness", "mortgage rates", "housing starts", "evictions"),
        ("social housing", "rent subsidies", "homeless shelters", "first-home grants"),
        ("tenants", "homeowners", "first-time buyers", "landlords"),
    ),
    Subject(
        "demo-transport",
        "Demo: transport",
        ("road deaths", "train delays", "bus fares", "traffic congestion", "cycling", "rail ridership"),
        ("rail upgrades", "bus services", "cycle lanes", "road maintenance"),
        ("commuters", "bus drivers", "cyclists", "train passengers"),
    ),
)

# Made-up place names from syllables: thousands of rare words, and no real place is misquoted.
PLACE_STARTS = ("Kel", "Var", "Dor", "Ash", "Bel", "Cor", "Mar", "Tal", "Ven", "Ost", "Ril", "Sav")
PLACE_STARTS += ("Hal", "Nor", "Pel", "Quen", "Brin", "Fal", "Gor", "Lun", "Tev", "Ysk", "Zan", "Ember")
PLACE_MIDDLES = ("a", "i", "o", "u", "e", "an", "el", "is", "or", "un")
PLACE_ENDS = ("mora", "duna", "vik", "stad", "holm", "bury", "ford", "aven", "ria", "lund")
PLACE_ENDS += ("mont", "wick", "sk", "ton", "field", "gard", "mere", "port", "ley", "ora")
CHANGED = (("rose", "risen"), ("fell", "fallen"), ("grew", "grown"), ("dropped", "dropped"))
CHANGED += (("increased", "increased"), ("declined", "declined"), ("climbed", "climbed"), ("shrank", "shrunk"))
CHANGED += (("jumped", "jumped"), ("slumped", "slumped"), ("surged", "surged"), ("decreased", "decreased"))
AGENCY_KINDS = ("Bureau of", "Office for", "Institute of", "Council for", "Commission on", "Agency for")
AGENCY_FIELDS = ("Labour Statistics", "Public Health", "Fiscal Studies", "Housing Research", "Migration Data")
AGENCY_FIELDS += ("Transport Safety", "Education Standards", "Environmental Monitoring", "Crime Statistics")
REGION_KINDS = ("province", "region", "republic", "federation", "state", "county", "territory")
UNITS = ("city", "town", "district", "municipality", "county", "borough", "province")
EXTREMES = ("highest", "lowest", "fastest-growing", "fastest-falling", "second-highest", "third-lowest")
CURRENCIES = ("crowns", "thalers", "florins", "marks", "ducats")
PLAN_WORDS = ("Fair", "Green", "Bright", "Strong", "Open", "Safe", "New", "Common", "Bold", "Steady")
PLAN_NOUNS = ("Start", "Horizon", "Future", "Deal", "Path", "Ground", "Harbour", "Compass", "Bridge", "Promise")

WORDS: dict[str, Callable[[random.Random, Subject], str]] = {
    "budget": lambda rng, subject: rng.choice(subject.budgets),
    "group": lambda rng, subject: rng.choice(subject.groups),
    "changed": lambda rng, subject: rng.choice(CHANGED)[0],
    "has_changed": lambda rng, subject: rng.choice(CHANGED)[1],
    "multiplied": lambda rng, subject: rng.choice(("doubled", "tripled", "halved", "quadrupled")),
    "pct": lambda rng, subject: f"{rng.randint(5, 600) / 10:g}",
    "share": lambda rng, subject: f"{rng.randint(5, 95)} percent",
    "count": lambda rng, subject: f"{rng.randint(1, 950)},{rng.randint(0, 999):03d}",
    "money": lambda rng, subject: (
        f"{rng.randint(2, 950)} {rng.choice(('million', 'billion'))} {rng.choice(CURRENCIES)}"
    ),
    "year": lambda rng, subject: str(rng.randint(2000, 2015)),
    "early_year": lambda rng, subject: str(rng.randint(1950, 1999)),
    "period": lambda rng, subject: f"between {rng.randint(1990, 2007)} and {rng.randint(2008, 2015)}",
    "agency": lambda rng, subject: f"{rng.choice(AGENCY_KINDS)} {rng.choice(AGENCY_FIELDS)}",
    "region": lambda rng, subject: f"the {rng.choice(REGION_KINDS)} of {_place(rng)}",
    "unit": lambda rng, subject: rng.choice(UNITS),
    "extreme": lambda rng, subject: rng.choice(EXTREMES),
    "months": lambda rng, subject: str(rng.randint(2, 18)),
    "plan": lambda rng, subject: f"{rng.choice(PLAN_WORDS)} {rng.choice(PLAN_NOUNS)}",
}
TEMPLATES = (
    "{measure} in {place} {changed} by {pct} percent {period}, according to the {agency}.",
    "Since {year}, {measure} in {place} {has} {has_changed} by over {pct} percent, the steepest change in {region}.",
    "{place} spends {money} a year on {budget}, more per resident than any other {unit} in {region}.",
    "More than {count} {group} left {place} in {year}, the highest number since records began in {early_year}.",
    "{measure} in {place} {has} {multiplied} since {year}, while spending on {budget} stayed flat.",
    "Only {share} of {group} in {place} were satisfied with {budget} in {year}, against {pct}% in {early_year}.",
    "{place} had the {extreme} rate of {measure} of any {unit} in {region} in {year}, the {agency} says.",
    "The government cut {budget} in {place} by {money} in {year}, and {measure} {changed} within {months} months.",
    "Under the {plan} plan, {place} has {multiplied} its spending on {budget} since {year}.",
    "{measure} among {group} in {place} {changed} by {pct} percent in {year}, the {extreme} figure on record.",
)
# Each template with the names of its fields, in order of appearance.
TEMPLATE_FIELDS = tuple(
    (template, tuple(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template) if name)))
    for template in TEMPLATES
)
HEADLINES = {
    "true": "Correct: the figures on {measure} in {place} check out",
    "mostly-true": "Mostly right on {measure} in {place}, with one caveat",
    "half-true": "Half right: {measure} in {place} changed, but not as claimed",
    "mostly-false": "The numbers on {measure} in {place} are mostly wrong",
    "false": "Wrong: official data on {measure} in {place} says otherwise",
    "misleading": "Real numbers, misleading comparison on {measure} in {place}",
    "unproven": "No public data backs the claim on {measure} in {place}",
}
EVENTS = ("press conference", "campaign rally", "radio interview", "parliamentary debate", "town hall meeting")
OFFICES = ("Mayor", "Governor", "Finance Minister", "Health Minister", "Opposition Leader", "Union Leader")
SPEAKER_KINDS = (Speaker.Kind.PERSON, Speaker.Kind.ORGANIZATION, Speaker.Kind.GROUP, Speaker.Kind.ANONYMOUS)
SPEAKER_KIND_WEIGHTS = (75, 15, 7, 3)
EVIDENCE_STANCES = (Evidence.Stance.REFUTES, Evidence.Stance.SUPPORTS, Evidence.Stance.CONTEXT)
EVIDENCE_STANCE_WEIGHTS = (50, 30, 20)
EVIDENCE_KINDS = tuple(Evidence.Kind)
SOURCE_KINDS = (Source.Kind.NEWS_ARTICLE, Source.Kind.PRESS_RELEASE, Source.Kind.TRANSCRIPT, Source.Kind.SOCIAL_POST)
SOURCE_KIND_WEIGHTS = (60, 15, 15, 10)
PUBLISHERS = ("Synthetic Demo Press", "Synthetic Demo Times", "Synthetic Demo Broadcasting", "Synthetic Demo Wire")
REJECTION_REASONS = ("Synthetic demo: an opinion, not a checkable statement.", "Synthetic demo: a prediction.")
RETRACTION_REASONS = ("Synthetic demo: the figures compared were from different years.", "Synthetic demo: wrong table.")


def _place(rng: random.Random) -> str:
    """A made-up place name: 480 of two syllables, 4,800 rarer ones of three."""
    middle = rng.choice(PLACE_MIDDLES) if rng.random() < 0.3 else ""
    return rng.choice(PLACE_STARTS) + middle + rng.choice(PLACE_ENDS)


class Statement(NamedTuple):
    text: str
    subject: int  # index in SUBJECTS
    measure: str
    place: str


def make_statement(rng: random.Random) -> Statement:
    """A checkable statement with numbers, years, places and a subject, between 80 and 200 characters."""
    subject = rng.randrange(len(SUBJECTS))
    template, names = rng.choice(TEMPLATE_FIELDS)
    measure = rng.choice(SUBJECTS[subject].measures)
    plural = measure.endswith("s") and not measure.endswith("ss")  # "rents" but "homelessness"
    words = {"measure": measure, "place": _place(rng), "has": "have" if plural else "has"}
    for name in names:
        if name not in words:
            words[name] = WORDS[name](rng, SUBJECTS[subject])
    text = template.format(**words)
    return Statement(text[0].upper() + text[1:], subject, words["measure"], words["place"])


class RatingChoice(NamedTuple):
    id: int
    slug: str
    label: str


@dataclass(frozen=True)
class Cast:
    """The rows that generated rows point at: demo users, topics and the rating scale."""

    reviewers: list[int]
    editors: list[int]
    demo_topic: int
    subject_topics: list[int]  # in the order of SUBJECTS
    topic_names: dict[int, tuple[str, str]]  # name and slug by id
    ratings: list[RatingChoice]
    rating_weights: list[int]


def _demo_users(role: str, count: int) -> list[int]:
    """Ids of ``demo-<role>-1`` and on, in the role's group; none of them can log in."""
    group = Group.objects.filter(name=role).first()
    if group is None:
        raise DemoError(f"the '{role}' group is missing; run `manage.py migrate` first.")
    ids = []
    for number in range(1, count + 1):
        user, _ = get_user_model().objects.get_or_create(
            username=f"demo-{role}-{number}",
            defaults={
                "first_name": "Demo",
                "last_name": f"{role.title()} {number}",
                "is_staff": True,  # as the factories and the admin expect of editors and reviewers
                "password": make_password(None),  # unusable: nobody logs in as a demo user
            },
        )
        user.groups.add(group)
        ids.append(user.pk)
    return ids


def _demo_topics() -> dict[str, int]:
    """The ``synthetic-demo`` topic and one per subject, by slug (bulk-created: no history, like the rest)."""
    topics = [Topic(name="Synthetic demo", slug=DEMO_TOPIC_SLUG)]
    topics += [Topic(name=subject.name, slug=subject.slug) for subject in SUBJECTS]
    Topic.objects.bulk_create(topics)
    return dict(Topic.objects.filter(slug__in=[topic.slug for topic in topics]).values_list("slug", "pk"))


def _cast() -> Cast:
    ratings = [
        RatingChoice(*row) for row in Rating.objects.filter(slug__in=RATING_WEIGHTS).values_list("pk", "slug", "label")
    ]
    if not ratings:
        raise DemoError("the default rating scale is missing; run `manage.py migrate` first.")
    ratings.sort(key=lambda rating: list(RATING_WEIGHTS).index(rating.slug))  # the same order on any database
    topics = _demo_topics()
    return Cast(
        reviewers=_demo_users("reviewer", REVIEWERS),
        editors=_demo_users("editor", EDITORS),
        demo_topic=topics[DEMO_TOPIC_SLUG],
        subject_topics=[topics[subject.slug] for subject in SUBJECTS],
        topic_names={
            pk: (name, slug)
            for pk, name, slug in Topic.objects.filter(pk__in=topics.values()).values_list("pk", "name", "slug")
        },
        ratings=ratings,
        rating_weights=[RATING_WEIGHTS[rating.slug] for rating in ratings],
    )


Row = dict[str, object]  # column values by the model field's attribute name
Batch = dict[type[models.Model], list[Row]]


class CorpusMaker:
    """Decides every row from one random stream, always in the same order, so that a seed fixes the corpus.

    Ids are allocated here, from the first free id of each table, so that a claim can point at its
    verdict before the verdict is written.
    """

    def __init__(
        self, *, rng: random.Random, cast: Cast, claims: int, seed: int, first_ids: dict[type[models.Model], int]
    ):
        self.rng, self.cast, self.claims = rng, cast, claims
        self.speakers = max(AT_LEAST, claims // CLAIMS_PER_SPEAKER)
        self.sources = max(AT_LEAST, claims // CLAIMS_PER_SOURCE)
        self.first_ids, self.next_ids = dict(first_ids), dict(first_ids)
        self.note = f"Synthetic demo data (generate_demo, seed {seed}): not a real claim."
        self.staff = cast.reviewers + cast.editors
        self.deck: list[str] = []
        # What a published version shows of its claim's speaker and source (``Claim.as_shown``).
        self.speakers_shown: dict[int, dict] = {}
        self.sources_shown: dict[int, dict] = {}

    def _take_id(self, model: type[models.Model]) -> int:
        self.next_ids[model] += 1
        return self.next_ids[model] - 1

    def speaker_rows(self) -> Iterable[Row]:
        """Mostly people with an office in a made-up place; a few organisations, groups and anonymous sources."""
        for number in range(1, self.speakers + 1):
            kind = self.rng.choices(SPEAKER_KINDS, SPEAKER_KIND_WEIGHTS)[0]
            role = "" if kind == Speaker.Kind.ANONYMOUS else f"{self.rng.choice(OFFICES)} of {_place(self.rng)}"
            row = {
                "id": self._take_id(Speaker),
                "name": f"Demo Speaker {number:04d}",
                "slug": f"demo-speaker-{number:04d}",
                "kind": kind,
                "role": role,
                "affiliation": f"Demo Party {self.rng.choice(string.ascii_uppercase[:6])}",
            }
            self.speakers_shown[row["id"]] = {
                key: row.get(key, "") for key in ("id", "name", "kind", "role", "same_as")
            }
            yield row

    def source_date(self, index: int) -> datetime.date:
        """Sources appear evenly over the calendar, in the order of their ids."""
        return (START + datetime.timedelta(days=SPAN_DAYS * index // self.sources)).date()

    def source_rows(self) -> Iterable[Row]:
        """Articles, press releases, transcripts and posts, published evenly over the calendar; no stored text."""
        for index in range(self.sources):
            source_id, published_on = self._take_id(Source), self.source_date(index)
            kind = self.rng.choices(SOURCE_KINDS, SOURCE_KIND_WEIGHTS)[0]
            recorded = datetime.datetime.combine(published_on, datetime.time(), tzinfo=datetime.UTC)
            about = self.rng.choice(SUBJECTS).slug.removeprefix("demo-")
            row = {
                "id": source_id,
                "url": f"{DEMO_URL}/sources/{source_id}",
                "title": f"Synthetic demo {kind.label.lower()} {index + 1} on {about}",
                "publisher": self.rng.choice(PUBLISHERS),
                "author": f"Demo Reporter {self.rng.randint(1, 40)}",
                "published_on": published_on,
                "kind": kind,
                "language": "en",
                "created_at": recorded,
                "updated_at": recorded,
            }
            self.sources_shown[source_id] = {
                "id": source_id,
                "title": row["title"],
                "url": row["url"],
                "publisher": row["publisher"],
                "published_on": published_on.isoformat(),
                "kind": kind,
            }
            yield row

    def claim(self, index: int, batch: Batch) -> Row:
        """Decide claim number ``index``; add the rows of its verdicts, evidence and topics to ``batch``."""
        if index % len(STATUS_DECK) == 0:
            self.deck = list(STATUS_DECK)
            self.rng.shuffle(self.deck)
        statement = make_statement(self.rng)
        claim = self._claim_row(index, self.deck[index % len(STATUS_DECK)], statement)
        verdicts = self._verdict_rows(claim, statement)
        # In this order: the random stream decides evidence before topics, as it always has.
        evidence = (
            self._evidence_rows(claim, verdicts[-1], statement) if claim["status"] == ClaimStatus.PUBLISHED else []
        )
        topics = self._topic_rows(claim, statement)
        if claim["status"] == ClaimStatus.PUBLISHED:
            current = verdicts[-1]
            claim.update(
                current_verdict_id=current["id"],
                slug=verdicts[0]["slug"],
                updated_at=current["published_at"],
                public_updated_at=current["published_at"],
            )
            batch[Evidence] += evidence
            batch[Citation] += [
                {"id": self._take_id(Citation), "verdict_id": current["id"], "evidence_id": row["id"]}
                for row in evidence
            ]
            shown = self._shown(claim, topics)
            for verdict in verdicts:
                verdict["shown"] = shown
            batch[FactCheckEvent] += self._event_rows(verdicts)
        batch[Verdict] += verdicts
        batch[Contributor] += [
            {"id": self._take_id(Contributor), "verdict_id": verdict["id"], "user_id": verdict["author_id"]}
            for verdict in verdicts
        ]
        batch[ClaimTopic] += topics
        return claim

    def _shown(self, claim: Row, topics: list[Row]) -> dict:
        """The claim as its published versions show it (``Claim.as_shown``)."""
        return {
            "text": claim["text"],
            "is_verbatim": claim["is_verbatim"],
            "context": claim["context"],
            "claim_date": claim["claim_date"].isoformat(),
            "claim_date_precision": claim["claim_date_precision"],
            "speaker": self.speakers_shown[claim["speaker_id"]],
            "source": self.sources_shown[claim["source_id"]],
            "first_appearance": None,
            "topics": sorted(
                (
                    {"name": name, "slug": slug}
                    for name, slug in (self.cast.topic_names[row["topic_id"]] for row in topics)
                ),
                key=lambda topic: topic["name"],
            ),
        }

    def _event_rows(self, verdicts: list[Row]) -> list[Row]:
        """The public log of a published claim's fact-check: each publication, and a retraction."""
        rows = []
        for verdict in verdicts:
            rows.append(self._event_row(verdict, FactCheckEvent.Kind.PUBLISHED, "", verdict["published_at"]))
            if verdict["status"] == Verdict.Status.RETRACTED:
                rows.append(
                    self._event_row(
                        verdict, FactCheckEvent.Kind.RETRACTED, verdict["retraction_reason"], verdict["retracted_at"]
                    )
                )
        return rows

    def _event_row(self, verdict: Row, kind: str, note: str, at: datetime.datetime) -> Row:
        return {
            "id": self._take_id(FactCheckEvent),
            "claim_id": verdict["claim_id"],
            "verdict_id": verdict["id"],
            "kind": kind,
            "note": note,
            "happened_at": at,
            "by_id": verdict["approved_by_id"],
        }

    def _claim_row(self, index: int, status: str, statement: Statement) -> Row:
        rng = self.rng
        # Recorded evenly over the calendar in the order of the ids, from a source of that time.
        created = START + datetime.timedelta(microseconds=SPAN_MICROSECONDS * index // self.claims)
        latest_source = index * self.sources // self.claims
        source = latest_source - rng.randint(0, min(latest_source, 2))
        claim_date, precision = self._claim_date(self.source_date(source))
        needs_assignee = status in (ClaimStatus.ASSIGNED, ClaimStatus.IN_REVIEW, ClaimStatus.PUBLISHED)
        return {
            "id": self._take_id(Claim),
            "text": statement.text,
            "is_verbatim": rng.random() < 0.3,
            "context": f"Said at a {rng.choice(EVENTS)} in {_place(rng)}." if rng.random() < 0.4 else "",
            "speaker_id": self.first_ids[Speaker] + int(self.speakers * rng.random() ** 2),  # a few speak a lot
            "source_id": self.first_ids[Source] + source,
            "claim_date": claim_date,
            "claim_date_precision": precision,
            "checkworthiness": self._checkworthiness(status),
            "status": status,
            "rejection_reason": rng.choice(REJECTION_REASONS) if status == ClaimStatus.REJECTED else "",
            "assignee_id": rng.choice(self.cast.reviewers) if needs_assignee else None,
            "notes": self.note,
            "created_at": created,
            "updated_at": created,
            "public_updated_at": created,
            "created_by_id": rng.choice(self.staff),
        }

    def _claim_date(self, source_date: datetime.date) -> tuple[datetime.date, str]:
        """A date on or before the source's, sometimes known only to the month or the year."""
        said = source_date - datetime.timedelta(days=self.rng.randint(0, 10))
        precision = self.rng.random()
        if precision < 0.03:
            return said.replace(month=1, day=1), Claim.DatePrecision.YEAR
        if precision < 0.1:
            return said.replace(day=1), Claim.DatePrecision.MONTH
        return said, Claim.DatePrecision.DAY

    def _checkworthiness(self, status: str) -> float | None:
        """Unscored for most new claims, low for rejected ones, high for those taken up."""
        if status == ClaimStatus.NEW:
            return None if self.rng.random() < 0.6 else round(self.rng.random(), 2)
        if status == ClaimStatus.REJECTED:
            return round(self.rng.uniform(0, 0.4), 2)
        return round(self.rng.uniform(0.5, 1), 2)

    def _verdict_rows(self, claim: Row, statement: Statement) -> list[Row]:
        """The claim's verdicts, oldest first: a published claim's current verdict comes last."""
        status = claim["status"]
        started = claim["created_at"] + datetime.timedelta(hours=self.rng.randint(2, 72))
        if status == ClaimStatus.PUBLISHED:
            if self.rng.random() >= RETRACTED_SHARE:
                return [self._verdict_row(claim, statement, Verdict.Status.PUBLISHED, started)]
            retracted = self._verdict_row(claim, statement, Verdict.Status.RETRACTED, started)
            retracted_at = retracted["published_at"] + datetime.timedelta(days=self.rng.randint(1, 30))
            reason = self.rng.choice(RETRACTION_REASONS)
            retracted.update(retracted_at=retracted_at, retraction_reason=reason, updated_at=retracted_at)
            republished = self._verdict_row(claim, statement, Verdict.Status.PUBLISHED, retracted_at)
            republished["slug"] = ""  # the claim's fact-check keeps the address it was first published at
            return [retracted, republished]
        if status == ClaimStatus.IN_REVIEW:
            return [self._verdict_row(claim, statement, Verdict.Status.IN_REVIEW, started)]
        if status == ClaimStatus.ASSIGNED and self.rng.random() < DRAFT_SHARE:
            draft = self._verdict_row(claim, statement, Verdict.Status.DRAFT, started)
            if self.rng.random() < 0.5:
                draft["summary"] = ""  # a draft still being written
            return [draft]
        return []

    def _verdict_row(self, claim: Row, statement: Statement, status: str, created: datetime.datetime) -> Row:
        """A verdict written by the claim's assignee; once published, approved by an editor (never the author)."""
        rating = self.rng.choices(self.cast.ratings, self.cast.rating_weights)[0]
        year = self.rng.randint(2000, 2024)
        row = {
            "id": self._take_id(Verdict),
            "claim_id": claim["id"],
            "rating_id": rating.id,
            "headline": HEADLINES[rating.slug].format(measure=statement.measure, place=statement.place),
            "summary": f"Synthetic demo verdict, rated {rating.label.lower()} after comparing the claim with the "
            f"official figures for {statement.measure} in {statement.place} in {year}.",
            "author_id": claim["assignee_id"],
            "status": status,
            "language": "en",
            "created_at": created,
            "updated_at": created,
        }
        if status in (Verdict.Status.PUBLISHED, Verdict.Status.RETRACTED):
            published_at = created + datetime.timedelta(hours=self.rng.randint(4, 240))
            row.update(
                approved_by_id=self.rng.choice(self.cast.editors),
                published_at=published_at,
                slug=Verdict.slug_for(pk=row["id"], headline=row["headline"]),
            )
            row["updated_at"] = published_at
        return row

    def _evidence_rows(self, claim: Row, verdict: Row, statement: Statement) -> list[Row]:
        """One or two pieces of evidence, found by the verdict's author while researching the claim."""
        rows = []
        for number in range(1, self.rng.randint(1, 2) + 1):
            agency = WORDS["agency"](self.rng, SUBJECTS[statement.subject])
            rows.append(
                {
                    "id": self._take_id(Evidence),
                    "claim_id": claim["id"],
                    "url": f"{DEMO_URL}/evidence/{claim['id']}/{number}",
                    "title": f"{agency}: {statement.measure} in {statement.place} (synthetic demo data)",
                    "publisher": f"Synthetic Demo {agency}",
                    "excerpt": f"Synthetic demo excerpt: {statement.measure} in {statement.place} stood at "
                    f"{self.rng.randint(5, 600) / 10:g} percent.",
                    "stance": self.rng.choices(EVIDENCE_STANCES, EVIDENCE_STANCE_WEIGHTS)[0],
                    "kind": self.rng.choice(EVIDENCE_KINDS),
                    "published_on": claim["claim_date"] - datetime.timedelta(days=self.rng.randint(0, 365)),
                    "added_by_id": verdict["author_id"],
                    "created_at": claim["created_at"] + datetime.timedelta(minutes=number),
                }
            )
        return rows

    def _topic_rows(self, claim: Row, statement: Statement) -> list[Row]:
        """Every claim is filed under ``synthetic-demo``; most also under the topic of their subject."""
        topics = [self.cast.demo_topic]
        if self.rng.random() < SUBJECT_TOPIC_SHARE:
            topics.append(self.cast.subject_topics[statement.subject])
        return [{"id": self._take_id(ClaimTopic), "claim_id": claim["id"], "topic_id": topic} for topic in topics]


@functools.cache
def _defaults(model: type[models.Model]) -> dict[str, object]:
    # Evaluated once per model: none of these models has a default that must differ between rows.
    return {field.attname: field.get_default() for field in stored_fields(model)}


def _values(model: type[models.Model], rows: Iterable[Row]) -> Iterator[list]:
    """Each row's values in column order; a column that a row leaves out gets the field's default."""
    defaults = _defaults(model)
    for row in rows:
        if not row.keys() <= defaults.keys():  # a misspelt column would otherwise be left out without a word
            raise ValueError(f"{model.__name__} has no fields {sorted(row.keys() - defaults.keys())}.")
        yield [row.get(name, default) for name, default in defaults.items()]


def _copy_rows(model: type[models.Model], rows: Iterable[Row]) -> int:
    """PostgreSQL: stream the rows through COPY; returns how many were written."""
    fields = stored_fields(model)
    values = _values(model, rows)
    json = [index for index, field in enumerate(fields) if isinstance(field, models.JSONField)]
    if json:
        values = (_with_json(row, json) for row in values)
    return copy_rows(model._meta.db_table, [field.column for field in fields], values)


def _with_json(row: list, columns: list[int]) -> list:
    for index in columns:
        if row[index] is not None:
            row[index] = Jsonb(row[index])
    return row


def _insert_rows(model: type[models.Model], rows: Iterable[Row]) -> int:
    """SQLite: one INSERT run over the rows, values converted as the ORM would; returns how many were written."""
    fields = stored_fields(model)
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(field.column) for field in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608 (model's names)
    params = (
        [field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)]
        for values in _values(model, rows)
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return max(cursor.rowcount, 0)  # sqlite3 sums the rows of all runs; -1 when there were none


GENERATED_MODELS = (Speaker, Source, Claim, Verdict, Evidence, ClaimTopic, Citation, Contributor, FactCheckEvent)
COUNT_LABELS = {Speaker: "speakers", Source: "sources", Claim: "claims", Verdict: "verdicts", Evidence: "evidence"}
COUNT_LABELS[ClaimTopic] = "claim topics"


def generate_demo(*, claims: int, seed: int = 1, progress: Progress | None = None) -> dict[str, int]:
    """Write a synthetic corpus of ``claims`` claims that ``seed`` decides; returns how many rows of each kind.

    Everything happens in one transaction: a failed or interrupted run leaves nothing behind. The tables
    written are analyzed once it commits, so that the planner knows how many rows they now hold.
    Raises ``DemoError`` when the database already holds demo data or lacks what migrations create.
    """
    if claims < 1:
        raise ValueError(f"The number of claims must be at least 1, not {claims}.")
    write = _copy_rows if connection.vendor == "postgresql" else _insert_rows
    with transaction.atomic():
        _lock_tables()
        _refuse_if_demo_data()
        cast = _cast()
        rng = random.Random(seed)  # noqa: S311 (reproducible demo data, no secrets)
        maker = CorpusMaker(rng=rng, cast=cast, claims=claims, seed=seed, first_ids=_first_free_ids())
        counts = {"users": len(cast.reviewers) + len(cast.editors), "topics": 1 + len(cast.subject_topics)}
        with _foreign_keys_checked_once(GENERATED_MODELS):
            counts["speakers"] = write(Speaker, maker.speaker_rows())
            counts["sources"] = write(Source, maker.source_rows())
            counts.update(_write_claims(maker=maker, write=write, progress=progress))
        _reset_sequences()
        CurrentFactCheck.objects.rebuild()
    analyze([get_user_model(), Topic, *GENERATED_MODELS, CurrentFactCheck])
    return counts


def _lock_tables() -> None:
    """Keep other writers out until commit, since ids are allocated from the tables' current maximum.

    SQLite needs nothing: it lets one writer at a time into the whole database.
    """
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in (Topic, *GENERATED_MODELS))
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


@contextmanager
def _foreign_keys_checked_once(written: Iterable[type[models.Model]]) -> Iterator[None]:
    """On PostgreSQL, check the tables' foreign keys once, after the rows are in, instead of row by row.

    Each row that PostgreSQL takes in queues a trigger that looks up every row it points at; for a
    million claims that takes longer than writing them. A foreign key that is added again is checked
    with one join over its table. The keys are dropped and added again in the caller's transaction:
    they are back, and hold for every row, before anything is committed; when the run fails, the
    rollback brings them back as they were. Until then, the tables are locked against readers too.
    """
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [[model._meta.db_table for model in written]],
        )
        keys = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


def _refuse_if_demo_data() -> None:
    # Demo speakers' slugs would clash, and two corpora in one database would make neither reproducible.
    if (
        Topic.objects.filter(slug=DEMO_TOPIC_SLUG).exists()
        or Speaker.objects.filter(slug__startswith="demo-speaker-").exists()
    ):
        raise DemoError(
            f"this database already holds demo data (the '{DEMO_TOPIC_SLUG}' topic); generate it into a fresh database."
        )


def _first_free_ids() -> dict[type[models.Model], int]:
    return {model: (model.objects.aggregate(largest=Max("pk"))["largest"] or 0) + 1 for model in GENERATED_MODELS}


def _write_claims(*, maker: CorpusMaker, write: Callable, progress: Progress | None) -> dict[str, int]:
    """Write the claims a round at a time, then the rows that the round's claims brought along, table by table."""
    counts = dict.fromkeys((COUNT_LABELS[model] for model in (Claim, Verdict, Evidence, ClaimTopic)), 0)
    for start in range(0, maker.claims, CHUNK):
        end = min(start + CHUNK, maker.claims)
        batch: Batch = {Verdict: [], Evidence: [], ClaimTopic: [], Citation: [], Contributor: [], FactCheckEvent: []}
        # Claims are decided as COPY takes them, while PostgreSQL indexes the ones already sent.
        counts["claims"] += write(Claim, (maker.claim(index, batch) for index in range(start, end)))
        for model, rows in batch.items():
            written = write(model, rows)
            if model in COUNT_LABELS:
                counts[COUNT_LABELS[model]] += written
        if progress:
            progress(end, maker.claims)
    return counts


def _reset_sequences() -> None:
    """Move PostgreSQL's id sequences past the ids given here; SQLite moves its own and needs nothing."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), GENERATED_MODELS):
            cursor.execute(sql)
