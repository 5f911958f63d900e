"""The claims domain: sources, speakers, claims, ratings, verdicts and evidence; and the records of the background
jobs that work on them.

docs/architecture.md ("The domain model") describes it, and "Where each rule lives" says which
rules are here.

Single-table rules live in database constraints so that no write path can break them; rules that
span records (a claim against its source) live in ``clean()``, which every write path runs through
``full_clean()``: the admin's forms, the API, the workflow functions and the loaders. What a
published record said is refused by ``save()`` as well (``FrozenOncePublished``).
"""

import datetime
import re
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField, TrigramSimilarity
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator, URLValidator
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Case, Exists, F, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import MD5, TruncMonth
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from claims.text import ascii_slug, quote_key

language_tag_validator = RegexValidator(
    r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", "Enter a BCP 47 language tag such as 'en', 'es' or 'pt-BR'."
)
color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #RRGGBB.")


class HttpUrlField(models.URLField):
    """A URL that browsers and crawlers can follow: only http and https are accepted."""

    default_validators = [URLValidator(schemes=["http", "https"])]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2000)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


def _choices_constraint(field: str, choices: type[models.TextChoices], model: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=f"{model}_{field}_valid")


Written = TypeVar("Written")


def again_if_raced(write: Callable[[], Written], *, using: str = "default") -> Written:
    """Run ``write`` so that a concurrent writer that records the same key first does not make it fail.

    The keys of records are unique in the database (docs/architecture.md, "Keys"): of two writers that
    record the same one at once, the second waits for the first to commit, then is refused. ``write`` runs
    in a savepoint, so that the caller's transaction survives the refusal, and then once more, now reading
    the other writer's record: a look-up by key finds it (intake matches it as if it had been there all
    along), and validation names the duplicate (the API and the admin refuse it with the constraint's
    message, not an error page). A second refusal is a real one.
    """
    try:
        with transaction.atomic(using=using):
            return write()
    except IntegrityError:
        with transaction.atomic(using=using):
            return write()


def sees_unpublished(user, model: type[models.Model]) -> bool:
    """Whether ``user`` is on the newsroom's staff for ``model``: they see drafts and internal records."""
    return user.is_authenticated and user.has_perm(f"claims.view_{model._meta.model_name}")


class VisibleQuerySet(models.QuerySet):
    """Records that the public may see are those behind a published claim (docs/architecture.md, "Visibility")."""

    public_claim_paths: tuple[str, ...] = ()

    def visible_to(self, user):
        if sees_unpublished(user, self.model):
            return self
        return self.filter(self.public_condition())

    def public_condition(self) -> Q:
        published = Claim.objects.filter(status=ClaimStatus.PUBLISHED)
        condition = Q()
        for path in self.public_claim_paths:
            condition |= Exists(published.filter(**{path: OuterRef("pk")}))
        return condition


class TopicQuerySet(VisibleQuerySet):
    public_claim_paths = ("topics",)


class Topic(models.Model):
    """A subject that claims are filed under ("elections", "Venezuela")."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)

    history = HistoricalRecords()
    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="topic_slug_unique"),
            models.UniqueConstraint(fields=["name"], name="topic_name_unique"),
        ]

    def __str__(self):
        return self.name


class SourceKind(models.TextChoices):
    NEWS_ARTICLE = "news_article", "News article"
    PRESS_RELEASE = "press_release", "Press release"
    TRANSCRIPT = "transcript", "Transcript"
    SOCIAL_POST = "social_post", "Social media post"
    VIDEO = "video", "Video"
    PHOTO = "photo", "Photo and caption"
    OTHER = "other", "Other"


class SourceQuerySet(VisibleQuerySet):
    public_claim_paths = ("source", "first_appearance")

    def by_key(self, keys: Iterable[tuple]) -> dict[tuple, "Source"]:
        """The recorded sources with these keys (``Source.key_for``), by key."""
        keys = set(keys)
        urls = {key[1] for key in keys if key[0] == "url"}
        titles = {key[1] for key in keys if key[0] == "title"}
        candidates = self.filter(Q(url__in=urls) | Q(url="", title__in=titles))
        return {source.key: source for source in candidates if source.key in keys}

    def recorded(self, *, url: str, title: str, publisher: str):
        """The source already recorded with this URL, or with this title and publisher when it has none."""
        key = Source.key_for(url=url, title=title, publisher=publisher)
        return self.by_key([key]).get(key)


class Source(models.Model):
    """A document in which claims appear: an article, press release, transcript, post or video."""

    Kind = SourceKind

    url = HttpUrlField(blank=True)
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEWS_ARTICLE)
    language = models.CharField(max_length=35, default="en", validators=[language_tag_validator])
    text = models.TextField(blank=True, help_text="Full text, used to check that verbatim quotes occur in it.")
    archived_url = HttpUrlField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        indexes = [models.Index(fields=["publisher"], name="source_publisher")]
        constraints = [
            # The two halves of ``Source.key_for``: the URL, else the title and publisher. (At most 700
            # characters, under PostgreSQL's limit on an index row but for 4-byte characters throughout.)
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_url_unique",
                violation_error_message="A source with this URL is already registered.",
            ),
            models.UniqueConstraint(
                fields=["title", "publisher"],
                condition=Q(url=""),
                name="source_title_publisher_unique",
                violation_error_message="A source with this title and publisher and no URL is already registered.",
            ),
            _choices_constraint("kind", SourceKind, "source"),
            models.CheckConstraint(condition=~Q(title=""), name="source_title_not_empty"),
        ]

    def __str__(self):
        return f"{self.title} ({self.publisher})" if self.publisher else self.title

    @staticmethod
    def key_for(*, url: str, title: str, publisher: str) -> tuple:
        """What every intake path matches a source on: its URL, or its title and publisher when it has none."""
        return ("url", url) if url else ("title", title, publisher)

    @property
    def key(self) -> tuple:
        return Source.key_for(url=self.url, title=self.title, publisher=self.publisher)

    def as_shown(self) -> dict:
        """The source as a fact-check page shows it (``Claim.as_shown``)."""
        return {
            "id": self.pk,
            "title": self.title,
            "url": self.url,
            "publisher": self.publisher,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "kind": self.kind,
        }

    def clean(self):
        if self.pk is None:
            return
        errors = {}
        if self.published_on:
            late = self.claims.filter(claim_date__gt=self.published_on).order_by("claim_date").first()
            if late:
                errors["published_on"] = (
                    f"Claim {late.pk} is dated {late.claim_date}, after {self.published_on}; "
                    "a source cannot be published before the claims it reports."
                )
        if self.text:
            text_key = quote_key(self.text)
            missing = [c.pk for c in self.claims.filter(is_verbatim=True) if quote_key(c.text) not in text_key]
            if missing:
                errors["text"] = f"The verbatim quotes of claims {missing} no longer occur in this text."
        if errors:
            raise ValidationError(errors)


class SpeakerKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organisation"
    ANONYMOUS = "anonymous", "Anonymous source"
    GROUP = "group", "Group of people"


class SpeakerQuerySet(VisibleQuerySet):
    public_claim_paths = ("speaker",)

    def by_slug(self, slugs: Iterable[str]) -> dict[str, "Speaker"]:
        """The recorded speakers by the slug (``Speaker.slug_for``) of any name they go by: their own or an alias.

        Every intake path finds speakers so: "P. Patel", once an editor gave it to Priya Patel, is her.
        """
        slugs = set(slugs)
        found = {speaker.slug: speaker for speaker in self.filter(slug__in=slugs)}
        aliases = SpeakerAlias.objects.filter(slug__in=slugs - found.keys(), speaker__in=self)
        found |= {alias.slug: alias.speaker for alias in aliases.select_related("speaker")}
        return found

    def named(self, name: str) -> "SpeakerQuerySet":
        """The speaker who goes by ``name``, as their own name or an alias, as a queryset."""
        slug = Speaker.slug_for(name)
        return self.filter(Q(slug=slug) | Q(aliases__slug=slug)).distinct()


class Speaker(models.Model):
    """Who made a claim: a person, an organisation, an anonymous source or a group."""

    Kind = SpeakerKind

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        blank=True,
        help_text="Left empty, it is made from the name, as claims proposed from articles and imports make it.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    role = models.CharField(max_length=200, blank=True, help_text='For example "U.S. Secretary of State".')
    affiliation = models.CharField(max_length=200, blank=True)
    same_as = HttpUrlField(blank=True, help_text="A page that identifies the speaker, such as their Wikidata item.")

    history = HistoricalRecords()
    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="speaker_slug_unique"),
            models.CheckConstraint(condition=~Q(slug=""), name="speaker_slug_not_empty"),
            _choices_constraint("kind", SpeakerKind, "speaker"),
            models.CheckConstraint(condition=~Q(name=""), name="speaker_name_not_empty"),
        ]

    def __str__(self):
        return f"{self.name}, {self.role}" if self.role else self.name

    def save(self, *args, **kwargs):
        self.slug = self.slug or Speaker.slug_for(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        self.slug = self.slug or Speaker.slug_for(self.name)
        alias = SpeakerAlias.objects.filter(slug=self.slug).exclude(speaker_id=self.pk).select_related("speaker")
        if alias.exists():
            raise ValidationError({"name": f"“{self.name}” is another name of {alias.get().speaker.name}."})

    @classmethod
    def slug_for(cls, name: str) -> str:
        """What every intake path matches a speaker on: the slug of their name, one for any script."""
        return ascii_slug(name, max_length=cls._meta.get_field("slug").max_length)


class SpeakerAlias(models.Model):
    """Another name a speaker goes by ("P. Patel", "Health Minister Patel"), matched as their own name is.

    An alias names one speaker only, and never the name of another speaker: a wrong name on a claim is
    the worst error, so an ambiguous name is better left to the editor than matched.
    """

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "speaker aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                name="speaker_alias_slug_unique",
                violation_error_message="Another speaker already goes by this name.",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="speaker_alias_slug_not_empty"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.slug = Speaker.slug_for(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        self.slug = Speaker.slug_for(self.name)
        if not self.slug:
            raise ValidationError({"name": "An alias needs a name."})
        if Speaker.objects.filter(slug=self.slug).exclude(pk=self.speaker_id).exists():
            raise ValidationError({"name": f"“{self.name}” is the name of another speaker."})
        if self.speaker_id and Speaker.objects.filter(pk=self.speaker_id, slug=self.slug).exists():
            raise ValidationError({"name": "This is the speaker's own name."})


class RatingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """All of it: the scale is published with every fact-check."""
        return self


class Rating(models.Model):
    """One label of the rating scale. Ordinal labels carry a value; "Misleading" and the like do not."""

    # Imported fact-checks keep their publisher's own wording, which can be a whole sentence.
    label = models.CharField(max_length=500)
    slug = models.SlugField(max_length=100)
    value = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Position on the scale, higher is truer; empty for non-ordinal labels."
    )
    description = models.TextField(blank=True)
    color = models.CharField(max_length=7, default="#777777", validators=[color_validator])

    history = HistoricalRecords()
    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = [F("value").desc(nulls_last=True), "label"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="rating_slug_unique"),
            models.UniqueConstraint(fields=["label"], name="rating_label_unique"),
        ]

    def __str__(self):
        return self.label


class FrozenOncePublished(models.Model):
    """A record whose published content never changes in place, whatever writes it.

    ``clean()`` refuses such a change with the fields at fault, for forms and the API; the model's
    ``save()`` calls ``refuse_frozen_changes`` too, so that a loader, a command or a shell write that
    skips validation cannot change what readers saw either. Corrections and retractions go through
    the workflow.
    """

    FROZEN_WHEN_PUBLISHED: tuple[str, ...] = ()
    FROZEN_IN_STATUSES: tuple[str, ...] = ()
    FROZEN_MESSAGE = "This is published and cannot change in place."

    class Meta:
        abstract = True

    def frozen_changes(self) -> list[str]:
        """The frozen fields whose value differs from the stored record's, if that one is published."""
        if self._state.adding:
            return []
        columns = {name: self._meta.get_field(name).attname for name in self.FROZEN_WHEN_PUBLISHED}
        stored = self.stored_if_frozen(list(columns.values()))
        if stored is None:
            return []
        return [name for name, column in columns.items() if getattr(self, column) != stored[column]]

    def stored_if_frozen(self, columns: list[str]) -> dict | None:
        """The stored values of ``columns`` if the stored record is frozen, else None."""
        stored = type(self)._base_manager.filter(pk=self.pk).values("status", *columns).first()
        return stored if stored is not None and stored["status"] in self.FROZEN_IN_STATUSES else None

    def is_frozen(self) -> bool:
        return not self._state.adding and self.stored_if_frozen([]) is not None

    def refuse_frozen_changes(self) -> None:
        changed = self.frozen_changes()
        if changed:
            raise self.frozen_error(changed)

    def frozen_error(self, changed: list[str]) -> ValidationError:
        return ValidationError(dict.fromkeys(changed, self.FROZEN_MESSAGE))

    def delete(self, *args, **kwargs):
        if self.is_frozen():
            raise ValidationError(f"{self._meta.verbose_name.capitalize()} “{self}” is on the public record: it stays.")
        return super().delete(*args, **kwargs)


class OnTheRecordQuerySet(VisibleQuerySet):
    """Rows of a ``FrozenOncePublished`` model, whose delete refuses those on the public record."""

    def on_the_record(self) -> Q:
        """The rows readers have seen or an approver has read; a subclass says which."""
        return Q(pk__in=[])

    def delete(self):
        kept = self.filter(self.on_the_record()).first()
        if kept is not None:
            raise ValidationError(
                f"{self.model._meta.verbose_name.capitalize()} “{kept}” is on the public record: it stays."
            )
        return super().delete()


class ClaimStatus(models.TextChoices):
    NEW = "new", "New"
    CHECKWORTHY = "checkworthy", "Check-worthy"
    REJECTED = "rejected", "Rejected"
    ASSIGNED = "assigned", "Assigned"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class ClaimSearchDocument(SearchVector):
    """The English full-text vector of a claim's text, stored in a generated column on PostgreSQL.

    SQLite has no full-text type: the column stays empty there and search matches the text itself
    (``ClaimQuerySet.search``).
    """

    def __init__(self):
        super().__init__("text", config="english")

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


def claim_search_query(terms: str) -> SearchQuery:
    """``terms`` read as a web search (quoted phrases, -exclusions, or), in the language of the claims' vector."""
    return SearchQuery(terms, config="english", search_type="websearch")


def trigrams(text: str) -> set[str]:
    """The trigrams of ``text`` as PostgreSQL's pg_trgm counts them: of each lower-cased word, padded
    with two spaces before and one after."""
    grams = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[start : start + 3] for start in range(len(padded) - 2))
    return grams


def trigram_similarity(first: str | None, second: str | None) -> float | None:
    """pg_trgm's ``similarity()``: the trigrams two texts share, as a share of all the trigrams either has."""
    if first is None or second is None:
        return None
    first_grams, second_grams = trigrams(first), trigrams(second)
    if not first_grams or not second_grams:
        return 0.0
    shared = len(first_grams & second_grams)
    return shared / (len(first_grams) + len(second_grams) - shared)


class ClaimTextSimilarity(TrigramSimilarity):
    """pg_trgm's ``similarity(text, query)`` on PostgreSQL; on SQLite the same measure computed in
    Python, through the function that ``claims.apps`` registers on each SQLite connection."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="claims_trigram_similarity", **extra_context)


class ClaimQuerySet(VisibleQuerySet):
    LEAST_SIMILARITY = 0.1

    def public_condition(self) -> Q:
        return Q(status=ClaimStatus.PUBLISHED)

    def by_key(self, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], "Claim"]:
        """The recorded claims with these keys (``Claim.key``: the source's id and the text), by key."""
        keys = set(keys)
        candidates = self.filter(source__in={key[0] for key in keys}, text__in={key[1] for key in keys})
        return {claim.key: claim for claim in candidates if claim.key in keys}

    def recorded(self, *, source: "Source", text: str):
        """The claim already recorded with this text in this source: every intake path matches claims so."""
        return self.by_key([(source.pk, text)]).get((source.pk, text))

    def refresh_current_verdicts(self) -> None:
        """``Claim.refresh_current_verdict`` for every claim here, in one UPDATE (for bulk imports)."""
        current = Verdict.objects.filter(claim=OuterRef("pk")).current_first()
        self.update(current_verdict=Subquery(current.values("pk")[:1]))
        CurrentFactCheck.objects.refresh_for(self.values("pk"))

    def search(self, terms: str):
        """Claims whose text matches ``terms`` as a web search would (quoted phrases, -exclusions, or)."""
        if connections[self.db].vendor == "postgresql":
            query = claim_search_query(terms)
            # The GIN index serves the first condition; the second repeats it at its real price so that
            # the planner chooses well between that index and the id order (migration 0005).
            return self.filter(search_vector=query).filter(
                Func(F("search_vector"), query, function="claims_text_matches", output_field=models.BooleanField())
            )
        # Without an index to use, every word must occur in the text; operators are not understood.
        words = re.findall(r"\w+", terms)
        return self.filter(*(Q(text__icontains=word) for word in words)) if words else self.none()

    def similar_to(self, text: str, *, limit: int):
        """The ``limit`` claims whose text is most like ``text``, best first, each with its
        ``similarity`` (0 to 1: pg_trgm's trigram similarity, on either database).

        On PostgreSQL only claims that share one of the text's distinctive words are scored
        (``SharesDistinctiveWords``, migration 0008): a million claims cannot each be scored per
        lookup. SQLite, the small embedded database, scores every claim. Below ``LEAST_SIMILARITY``
        texts share little more than a few common syllables.
        """
        ranked = self.annotate(similarity=ClaimTextSimilarity("text", text)).filter(
            similarity__gte=self.LEAST_SIMILARITY
        )
        if connections[self.db].vendor == "postgresql":
            ranked = ranked.filter(SharesDistinctiveWords(text))
        best = ranked.order_by("-similarity", "-pk").values("pk")[:limit]
        # Ranked first and joined after: joining what the caller selects to every candidate, before
        # the few best are known, would double the time at a million claims.
        return (
            self.filter(pk__in=best)
            .annotate(similarity=ClaimTextSimilarity("text", text))
            .order_by("-similarity", "-pk")
        )


class SharesDistinctiveWords(Func):
    """Whether a claim's full-text vector holds one of the words of ``text`` that few claims hold
    (or one of its two rarest), or, if it has none, all its words; PostgreSQL only (the function of
    migration 0008).

    Claim texts share most of their words ("percent", "rose", a year), so candidates found by
    trigrams or by any shared word are a large part of the table; a near-duplicate shares the
    rare ones (a place, a figure), and the search index finds those in milliseconds.
    """

    # A word in more claims than this is common: scoring as many candidates takes about 10 ms.
    COMMON_IN_CLAIMS = 1000

    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = models.BooleanField()

    def __init__(self, text: str):
        # As a subquery, run once when the query starts: called directly, the planner runs the
        # function as well, several times, to estimate how many claims match (7 ms of planning).
        terms = Func(
            Value(text),
            Value(self.COMMON_IN_CLAIMS),
            function="claims_distinctive_terms",
            template="(SELECT %(function)s(%(expressions)s))",
        )
        super().__init__(F("search_vector"), terms)


class Claim(FrozenOncePublished):
    """One checkable statement, as said by a speaker and found in a source."""

    Status = ClaimStatus

    DatePrecision = DatePrecision

    # What a published fact-check says it checked must not shift under it. (Where it was first made
    # also decides which sources the public may read.)
    FROZEN_WHEN_PUBLISHED = (
        "text",
        "is_verbatim",
        "context",
        "speaker",
        "source",
        "claim_date",
        "claim_date_precision",
        "first_appearance",
    )
    FROZEN_IN_STATUSES = (ClaimStatus.PUBLISHED,)
    FROZEN_MESSAGE = "The claim is published: what its fact-check checked cannot change."
    # What the public representation shows of the claim itself (its topics are followed by a signal).
    PUBLIC_FIELDS = (*FROZEN_WHEN_PUBLISHED, "checkworthiness", "status", "current_verdict")

    text = models.TextField()
    is_verbatim = models.BooleanField(default=False, help_text="The text is a direct quote of the speaker.")
    context = models.TextField(blank=True, help_text="The surrounding sentence in the source.")
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="claims")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="claims", help_text="Where the newsroom found the claim."
    )
    claim_date = models.DateField(null=True, blank=True, help_text="When the claim was made.")
    claim_date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text='"Month" when only the month is known ("in March"): the date is then the first of that month.',
    )
    first_appearance = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="first_appearances",
        null=True,
        blank=True,
        help_text="Where the claim was originally made, such as a press release, when it is known.",
    )
    topics = models.ManyToManyField(Topic, related_name="claims", blank=True)
    checkworthiness = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    rejection_reason = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assigned_claims", null=True, blank=True
    )
    notes = models.TextField(blank=True, help_text="Internal notes for the newsroom; never published.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What readers and the public API see changed; internal notes and assignments do not move it.
    public_updated_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Kept by the workflow (``refresh_current_verdict``) so that lists and filters by rating join
    # one row instead of searching each claim's verdicts.
    current_verdict = models.ForeignKey(
        "Verdict",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        help_text="The latest published verdict.",
    )
    search_vector = models.GeneratedField(
        expression=ClaimSearchDocument(), output_field=SearchVectorField(null=True), db_persist=True
    )
    # One address for the claim's fact-check across its corrections (``factcheck_url``).
    slug = models.SlugField(
        max_length=100,
        blank=True,
        editable=False,
        db_index=False,  # the unique constraint's index serves look-ups
        help_text="Address of the claim's public fact-check page, set when it is first published.",
    )

    history = HistoricalRecords(m2m_fields=[topics], excluded_fields=["search_vector"])
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="claim_status_created"),
            # The API lists newest first by id, for anonymous callers among published claims only.
            models.Index(fields=["status", "-id"], name="claim_status_id"),
            # Date filters list newest first by id: with status and id in the index (PostgreSQL), a month's
            # claims are sorted from the index alone, and only the page's rows are read from the table.
            models.Index(fields=["claim_date"], include=["status", "id"], name="claim_date_status_id"),
        ]
        permissions = [
            ("triage_claim", "Can mark claims check-worthy or reject them"),
            ("assign_claim", "Can assign claims to any reviewer"),
        ]
        constraints = [
            _choices_constraint("status", ClaimStatus, "claim"),
            _choices_constraint("claim_date_precision", DatePrecision, "claim"),
            models.CheckConstraint(condition=~Q(text=""), name="claim_text_not_empty"),
            models.CheckConstraint(
                condition=Q(checkworthiness__isnull=True) | Q(checkworthiness__gte=0, checkworthiness__lte=1),
                name="claim_checkworthiness_range",
                violation_error_message="Check-worthiness lies between 0 and 1.",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="claim_rejected_has_reason",
                violation_error_message="A rejected claim needs the reason it was rejected.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "in_review"]) | Q(assignee__isnull=False),
                name="claim_assigned_has_assignee",
                violation_error_message="An assigned claim or one in review needs an assignee.",
            ),
            models.UniqueConstraint(fields=["slug"], condition=~Q(slug=""), name="claim_slug_unique"),
            # ``Claim.key``. The text's digest rather than the text, which can be longer than PostgreSQL
            # indexes a row (about 2,700 bytes); SQLite has the same MD5 function from Django.
            models.UniqueConstraint(
                F("source"),
                MD5("text"),
                name="claim_source_text_unique",
                violation_error_message="A claim with this text from this source is already recorded.",
            ),
        ]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def save(self, *args, **kwargs):
        self.refuse_frozen_changes()
        changes = [] if self._state.adding else self.public_changes()
        if self._state.adding or changes:
            self.public_updated_at = timezone.now()
        super().save(*args, **kwargs)
        if {"status", "current_verdict"} & set(changes):
            CurrentFactCheck.objects.refresh_for([self.pk])

    def public_changes(self) -> list[str]:
        """The fields the public sees whose value differs from the stored claim's."""
        columns = {name: self._meta.get_field(name).attname for name in self.PUBLIC_FIELDS}
        stored = Claim._base_manager.filter(pk=self.pk).values(*columns.values()).first() or {}
        return [name for name, column in columns.items() if getattr(self, column) != stored.get(column)]

    @property
    def key(self) -> tuple[int, str]:
        return (self.source_id, self.text)

    def clean(self):
        self.refuse_frozen_changes()
        if self.source_id is None:
            return
        source = self.source
        errors = {}
        if self.claim_date and source.published_on and self.claim_date > source.published_on:
            errors["claim_date"] = (
                f"The claim date {self.claim_date} is after its source's publication date {source.published_on}; "
                "a claim cannot be made after the source that reports it."
            )
        if self.is_verbatim and source.text and quote_key(self.text) not in quote_key(source.text):
            errors["text"] = "The claim is marked verbatim, but this text does not occur in the source's text."
        if errors:
            raise ValidationError(errors)

    def as_shown(self) -> dict:
        """The claim as a fact-check page shows it, to keep with the version an editor approves
        (``Verdict.shown``): later edits of the speaker, the sources or the topics do not change it."""
        return {
            "text": self.text,
            "is_verbatim": self.is_verbatim,
            "context": self.context,
            "claim_date": self.claim_date.isoformat() if self.claim_date else None,
            "claim_date_precision": self.claim_date_precision,
            "speaker": {
                "id": self.speaker_id,
                "name": self.speaker.name,
                "kind": self.speaker.kind,
                "role": self.speaker.role,
                "same_as": self.speaker.same_as,
            },
            "source": self.source.as_shown(),
            "first_appearance": self.first_appearance.as_shown() if self.first_appearance_id else None,
            "topics": [{"name": topic.name, "slug": topic.slug} for topic in self.topics.all()],
        }

    def current_factcheck_url(self) -> str | None:
        """Where the claim's current fact-check is read (``Verdict.factcheck_url``), with no query for the
        claim its verdict belongs to: it is this one."""
        verdict = self.current_verdict
        if verdict is None:
            return None
        verdict.claim = self
        return verdict.factcheck_url()

    def factcheck_on_display(self) -> "Verdict | None":
        """The version of the claim's fact-check its page shows: the published one, else the one last
        retracted (with its notice); none before it is first published."""
        versions = self.verdicts.own().filter(status__in=[VerdictStatus.PUBLISHED, VerdictStatus.RETRACTED])
        return versions.order_by(
            Case(When(status=VerdictStatus.PUBLISHED, then=Value(0)), default=Value(1)),
            F("retracted_at").desc(nulls_last=True),
        ).first()

    def factcheck_address(self) -> str:
        """The absolute address of the claim's fact-check page."""
        return f"{settings.PUBLIC_URL}{reverse('factcheck', args=[self.slug])}"

    def refresh_current_verdict(self) -> None:
        """Point at the claim's current fact-check (``VerdictQuerySet.current_first``), or at none; the
        caller saves the claim."""
        self.current_verdict = self.verdicts.current_first().first()


class StaleVersionError(Exception):
    """The verdict was changed by someone else after this copy of it was read."""


class VerdictStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded by a correction"
    RETRACTED = "retracted", "Retracted"


# Verdicts that have been public: what readers saw stays on record, never edited in place.
PUBLIC_VERDICT_STATUSES = (VerdictStatus.PUBLISHED, VerdictStatus.SUPERSEDED, VerdictStatus.RETRACTED)


class ChangeKind(models.TextChoices):
    """What a new version of a published fact-check changes, as corrections policies tell them apart."""

    CORRECTION = "correction", "Correction"  # the finding, the rating or a fact it rests on
    UPDATE = "update", "Update"  # a typo, a link, wording: nothing a reader relied on


def report_month(field: str) -> TruncMonth:
    """The month a fact-check published at ``field`` is counted in by the report, in the site's time zone."""
    return TruncMonth(field, output_field=models.DateField())


class VerdictQuerySet(OnTheRecordQuerySet):
    def public_condition(self) -> Q:
        # Superseded versions and retractions stay public, with their notes, as long as the claim is.
        return Q(status__in=PUBLIC_VERDICT_STATUSES, claim__status=ClaimStatus.PUBLISHED)

    def on_the_record(self) -> Q:
        return Q(status__in=PUBLIC_VERDICT_STATUSES)

    speaker_field = "claim__speaker"
    month = report_month("published_at")

    def newest(self, count: int):
        """The ``count`` latest of these verdicts, with what a list of them shows."""
        return self.select_related("rating", "claim__speaker").latest_first()[:count]

    def latest_first(self):
        """Newest publication first. An imported fact-check whose publisher gave no date comes after
        every dated one, on either database (PostgreSQL alone would put it first)."""
        return self.order_by(F("published_at").desc(nulls_last=True), "-pk")

    def current_first(self):
        """The published ones, latest first: the first of a claim's verdicts is its current fact-check.

        The one rule for "current": ``Claim.refresh_current_verdict`` and
        ``ClaimQuerySet.refresh_current_verdicts`` keep ``Claim.current_verdict`` by it, and everything
        else reads that field or ``current()``.
        """
        return self.filter(status=VerdictStatus.PUBLISHED).latest_first()

    def current(self):
        """Each claim's current fact-check (``Claim.current_verdict``): published, not since replaced
        by a correction, and so public; what ``visible_to`` would add, everyone may see."""
        # As a semi-join rather than a join back to the claim: the planner misjudges that join
        # (claim_id = claim.id and claim.current_verdict_id = id) as matching one row in a million,
        # and its plans for "the latest 20" then take a minute.
        is_current = Claim.objects.filter(current_verdict=OuterRef("pk"), status=ClaimStatus.PUBLISHED)
        return self.filter(Exists(is_current), status=VerdictStatus.PUBLISHED)

    def own(self):
        """The newsroom's own verdicts, not those imported from other fact-checkers."""
        return self.filter(publisher_name="")


class Verdict(FrozenOncePublished):
    """A conclusion on a claim with a rating: the newsroom's own, or imported from another fact-checker.

    Imported verdicts name their ``publisher_name`` and have no local author or approver.
    """

    Status = VerdictStatus

    # Once published, these never change in place: a correction is a new verdict.
    FROZEN_WHEN_PUBLISHED = (
        "claim",
        "rating",
        "headline",
        "summary",
        "body",
        "url",
        "language",
        "author",
        "approved_by",
        "published_at",
        "publisher_name",
        "publisher_url",
        "corrects",
        "change_kind",
        "change_note",
        "slug",
        "shown",
    )
    FROZEN_IN_STATUSES = PUBLIC_VERDICT_STATUSES
    # What its author writes: whoever changes one of these has a hand in the version (``contributors``).
    CONTENT_FIELDS = ("rating", "headline", "summary", "body", "change_kind", "change_note")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="verdicts")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="verdicts", null=True, blank=True)
    headline = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts_written", null=True, blank=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts_approved", null=True, blank=True
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retraction_reason = models.TextField(blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
        help_text="The published verdict that this one corrects.",
    )
    change_kind = models.CharField(
        max_length=20,
        choices=ChangeKind.choices,
        blank=True,
        help_text="For a new version of a published fact-check: a correction, or a minor update.",
    )
    change_note = models.TextField(
        blank=True,
        help_text="For a new version of a published fact-check: what it changes and why. Readers see it.",
    )
    url = HttpUrlField(blank=True, help_text="Canonical address of the published fact-check.")
    language = models.CharField(max_length=35, default="en", validators=[language_tag_validator])
    publisher_name = models.CharField(
        max_length=200, blank=True, help_text="For verdicts imported from another fact-checker; empty for our own."
    )
    publisher_url = HttpUrlField(blank=True)
    rating_url = HttpUrlField(
        blank=True, help_text="For verdicts imported from another fact-checker: where they define this rating."
    )
    slug = models.SlugField(
        max_length=100,
        blank=True,
        editable=False,
        db_index=False,  # the unique constraint's index serves look-ups
        help_text="The address this version was first published at: its claim's fact-check's, or a redirect to it.",
    )
    # The claim as the version shows it, kept when an editor approves it (``Claim.as_shown``).
    shown = models.JSONField(null=True, blank=True, editable=False)
    evidence = models.ManyToManyField(
        "Evidence",
        related_name="cited_by",
        blank=True,
        help_text="The evidence the verdict rests on; fixed once it goes to review.",
    )
    # Everyone who wrote or changed its text or rating: none of them may approve it.
    contributors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = VerdictQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["claim", "status", "-published_at"], name="verdict_claim_current"),
            models.Index(fields=["published_at"], name="verdict_published_at"),
        ]
        permissions = [
            ("publish_verdict", "Can approve and publish verdicts written by others"),
            ("retract_verdict", "Can retract published verdicts"),
        ]
        constraints = [
            _choices_constraint("status", VerdictStatus, "verdict"),
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="verdict_url_unique"),
            models.UniqueConstraint(fields=["slug"], condition=~Q(slug=""), name="verdict_slug_unique"),
            # A claim's fact-check is one version at a time: a correction supersedes the one it corrects.
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(status="published", publisher_name=""),
                name="verdict_one_published_own_per_claim",
                violation_error_message="The claim already has a published fact-check of ours: correct it instead.",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True, change_kind="")
                | (Q(corrects__isnull=False) & ~Q(change_kind="") & (Q(status="draft") | ~Q(change_note=""))),
                name="verdict_correction_has_note",
                violation_error_message="A correction says what kind it is and, once submitted, what it changes.",
            ),
            # An imported fact-check is stored as its publisher wrote it, and many give no headline or summary.
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(rating__isnull=False) & ((~Q(headline="") & ~Q(summary="")) | ~Q(publisher_name=""))),
                name="verdict_submitted_is_complete",
                violation_error_message="A verdict needs a rating, a headline and a summary before review.",
            ),
            models.CheckConstraint(
                condition=~Q(publisher_name="") | Q(author__isnull=False),
                name="verdict_own_has_author",
                violation_error_message="A verdict of our own needs an author.",
            ),
            models.CheckConstraint(
                condition=Q(publisher_name="") | Q(author__isnull=True, approved_by__isnull=True),
                name="verdict_imported_has_no_local_people",
                violation_error_message="An imported verdict has no local author or approver.",
            ),
            models.CheckConstraint(
                condition=~Q(publisher_name="")
                | ~Q(status__in=["published", "superseded", "retracted"])
                | Q(approved_by__isnull=False, published_at__isnull=False),
                name="verdict_own_published_is_approved",
                violation_error_message="A published verdict of our own needs an approver and a publication time.",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("author")),
                name="verdict_approver_is_not_author",
                violation_error_message="The author of a verdict cannot approve it.",
            ),
            models.CheckConstraint(
                condition=~Q(status="retracted") | (Q(retracted_at__isnull=False) & ~Q(retraction_reason="")),
                name="verdict_retracted_has_reason",
                violation_error_message="A retracted verdict needs a retraction time and reason.",
            ),
        ]

    def __str__(self):
        return self.headline or f"Draft verdict on claim {self.claim_id}"

    def save(self, *args, **kwargs):
        """Save, refusing to overwrite a change someone else saved after this copy was read.

        The version is bumped with a conditional UPDATE before the real save: of two concurrent
        writers holding the same version, the second one's UPDATE waits for the first to commit
        and then matches no row (PostgreSQL row lock, SQLite database lock).
        """
        self.refuse_frozen_changes()
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            bumped = Verdict.objects.filter(pk=self.pk, version=self.version).update(version=F("version") + 1)
            if not bumped:
                raise StaleVersionError(
                    f"Verdict {self.pk} was changed by someone else after version {self.version} was read; "
                    "reload it and try again."
                )
            self.version += 1
            super().save(*args, **kwargs)

    def clean(self):
        self.refuse_frozen_changes()

    def frozen_error(self, changed: list[str]) -> ValidationError:
        stored = Verdict.objects.filter(pk=self.pk).values_list("status", flat=True).get()
        return ValidationError(
            f"Verdict {self.pk} is {stored} and cannot be edited in place "
            f"(changed: {', '.join(changed)}); publish a correction or retract it."
        )

    def factcheck_url(self) -> str | None:
        """Where the fact-check is read: its canonical address (for an imported one, its publisher's
        page), else its claim's fact-check page here, one address for every version; none before
        publication. ``outputs.columns.factcheck_url`` is the same rule in SQL."""
        if self.url:
            return self.url
        if self.status in PUBLIC_VERDICT_STATUSES and not self.publisher_name and self.claim.slug:
            return self.claim.factcheck_address()
        return None

    @staticmethod
    def slug_for(*, pk: int, headline: str) -> str:
        """The public page's address: readable words from the headline, made unique by the id."""
        words = slugify(headline)[:80].rstrip("-") or "fact-check"
        return f"{words}-{pk}"


class CurrentFactCheckQuerySet(models.QuerySet):
    # Where the report finds each fact-check's speaker and month (``VerdictQuerySet`` reads them on verdicts).
    speaker_field = "speaker"
    month = F("published_month")

    def newest(self, count: int):
        """The verdicts of the ``count`` latest fact-checks here, with what a list of them shows: the latest dated
        ones, then, when they are fewer, the latest undated ones (``VerdictQuerySet.latest_first``), each read in
        the order of an index. Their ids are read first: a condition "among these or among those" in one query
        would have PostgreSQL test every verdict against both lists."""
        dated = self.filter(published_at__isnull=False).order_by("-published_at", "-verdict_id")
        chosen = list(dated.values_list("verdict_id", flat=True)[:count])
        if len(chosen) < count:
            undated = self.filter(published_at__isnull=True).order_by("-verdict_id")
            chosen += undated.values_list("verdict_id", flat=True)[: count - len(chosen)]
        return Verdict.objects.filter(pk__in=chosen).select_related("rating", "claim__speaker").latest_first()

    def refresh_for(self, claims) -> None:
        """Make the rows of ``claims`` (a queryset of claims or a list of ids) what their current fact-checks
        are now: one DELETE and one INSERT … SELECT, however many claims."""
        db = router.db_for_write(CurrentFactCheck)
        self.using(db).filter(claim__in=claims).delete()
        _insert_current_factchecks(Verdict.objects.current().filter(claim__in=claims), db)

    def rebuild(self) -> None:
        """Every row again, from the claims and their verdicts (bulk loads, ``check_report_summary --repair``)."""
        db = router.db_for_write(CurrentFactCheck)
        self.using(db).all().delete()
        _insert_current_factchecks(Verdict.objects.current(), db)

    def differences(self) -> int:
        """How many claims' rows differ from what the claims and their verdicts say: wrong, missing or surplus."""
        kept = self.order_by().values_list(*CurrentFactCheck.COLUMNS)
        true = Verdict.objects.current().order_by().values_list(*CurrentFactCheck.SOURCES)
        return len({row[0] for row in kept.difference(true)} | {row[0] for row in true.difference(kept)})


def _insert_current_factchecks(verdicts, db: str) -> None:
    chosen = verdicts.order_by().values_list(*CurrentFactCheck.SOURCES)
    select, params = chosen.query.sql_with_params()
    connection = connections[db]
    table = connection.ops.quote_name(CurrentFactCheck._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(CurrentFactCheck._meta.get_field(name).column) for name in CurrentFactCheck.COLUMNS
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)


class CurrentFactCheck(models.Model):
    """The verdict report's summary: one narrow row per current fact-check (``VerdictQuerySet.current``) with
    what the report counts by, so that a report of a million fact-checks reads a million short rows instead of
    joining a million verdicts with their claims.

    Derived, never edited: ``Claim.save`` refreshes a claim's row when its status or current verdict changes,
    and ``ClaimQuerySet.refresh_current_verdicts`` those of an import. Nothing else in a row can change while it
    exists: a published claim's speaker and a public verdict's rating and date are frozen.
    ``check_report_summary`` compares it with the claims and verdicts and ``--repair`` rebuilds it.
    """

    # Each column of a row, and where it comes from on the current verdict.
    COLUMNS = ("claim", "verdict", "rating", "speaker", "published_at", "published_month")
    SOURCES = ("claim_id", "pk", "rating_id", "claim__speaker_id", "published_at", report_month("published_at"))

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, primary_key=True, related_name="+")
    verdict = models.OneToOneField(Verdict, on_delete=models.CASCADE, related_name="+")
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, null=True, related_name="+")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField(null=True)
    # The month the report counts it in, read once rather than worked out for every row of every report.
    published_month = models.DateField(null=True)

    objects = CurrentFactCheckQuerySet.as_manager()

    class Meta:
        # The newest first, dated and undated apart (``newest``).
        indexes = [
            models.Index(fields=["-published_at", "-verdict"], name="current_factcheck_latest"),
            models.Index(fields=["-verdict"], condition=Q(published_at__isnull=True), name="current_factcheck_undated"),
        ]

    def __str__(self):
        return f"Claim {self.claim_id}: verdict {self.verdict_id}"


class EvidenceStance(models.TextChoices):
    SUPPORTS = "supports", "Supports the claim"
    REFUTES = "refutes", "Refutes the claim"
    CONTEXT = "context", "Gives context"


class EvidenceKind(models.TextChoices):
    PRIMARY_DOCUMENT = "primary_document", "Primary document"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    NEWS_REPORT = "news_report", "News report"
    EXPERT = "expert", "Expert"
    DATASET = "dataset", "Data set"
    OTHER = "other", "Other"


class EvidenceQuerySet(OnTheRecordQuerySet):
    def on_the_record(self) -> Q:
        return Exists(Verdict.objects.filter(evidence=OuterRef("pk")).exclude(status=VerdictStatus.DRAFT))

    def public_condition(self) -> Q:
        # Evidence is published with a fact-check that cites it, not before.
        return Exists(Verdict.objects.filter(Verdict.objects.public_condition(), evidence=OuterRef("pk")))


class Evidence(FrozenOncePublished):
    """Material that supports, refutes or gives context to a claim.

    A verdict cites the evidence it rests on. Once a verdict that cites it goes to review, it never
    changes and is never deleted: what the approver read is what readers see. New evidence joins the
    claim's drafts; a published fact-check takes new evidence in a correction.
    """

    FROZEN_WHEN_PUBLISHED = (
        "claim",
        "url",
        "title",
        "publisher",
        "excerpt",
        "stance",
        "kind",
        "published_on",
        "archived_url",
    )
    FROZEN_MESSAGE = "A verdict in review or published cites this evidence: add new evidence to a correction instead."

    Stance = EvidenceStance

    Kind = EvidenceKind

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="evidence")
    url = HttpUrlField(blank=True)
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    excerpt = models.TextField(blank=True)
    stance = models.CharField(max_length=20, choices=Stance.choices, default=Stance.CONTEXT)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    published_on = models.DateField(null=True, blank=True)
    archived_url = HttpUrlField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            _choices_constraint("stance", EvidenceStance, "evidence"),
            _choices_constraint("kind", EvidenceKind, "evidence"),
            models.CheckConstraint(condition=~Q(title=""), name="evidence_title_not_empty"),
            models.UniqueConstraint(
                fields=["claim", "url"],
                condition=~Q(url=""),
                name="evidence_url_unique_per_claim",
                violation_error_message="This link is already attached to the claim as evidence.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.refuse_frozen_changes()
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            for draft in Verdict.objects.filter(claim=self.claim_id, status=VerdictStatus.DRAFT):
                draft.evidence.add(self)

    def clean(self):
        self.refuse_frozen_changes()

    def stored_if_frozen(self, columns: list[str]) -> dict | None:
        if not self.cited_by.exclude(status=VerdictStatus.DRAFT).exists():
            return None
        return Evidence._base_manager.filter(pk=self.pk).values(*columns).first()


class FactCheckEventKind(models.TextChoices):
    PUBLISHED = "published", "Published"
    CORRECTED = "corrected", "Corrected"
    UPDATED = "updated", "Updated"
    RETRACTED = "retracted", "Retracted"
    REINSTATED = "reinstated", "Reinstated"


class FactCheckEventQuerySet(VisibleQuerySet):
    def public_condition(self) -> Q:
        return Q(claim__status=ClaimStatus.PUBLISHED)


class FactCheckEvent(models.Model):
    """One public change to a claim's fact-check, as its page lists them: published, corrected,
    updated, retracted, reinstated, each with its note and date. Written by the workflow, never
    edited: it is the record of what readers were told and when."""

    Kind = FactCheckEventKind

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="factcheck_events")
    verdict = models.ForeignKey(Verdict, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField(blank=True)
    happened_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    objects = FactCheckEventQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_at", "-pk"]
        verbose_name = "public change"
        indexes = [models.Index(fields=["claim", "-happened_at"], name="factcheck_event_claim")]
        constraints = [
            _choices_constraint("kind", FactCheckEventKind, "factcheck_event"),
            models.CheckConstraint(
                condition=Q(kind="published") | ~Q(note=""),
                name="factcheck_event_has_note",
                violation_error_message="Readers are told why a fact-check was corrected, retracted or reinstated.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.happened_at:%Y-%m-%d}: {self.verdict}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("What readers were told is never edited: record a new event instead.")
        super().save(*args, **kwargs)


class Methodology(models.Model):
    """The public methodology page (``/methodology/``): how the newsroom rates, checks, approves and
    corrects. The rating scale itself is listed from the ratings. One row, edited in the admin."""

    introduction = models.TextField(help_text="Who checks what, and why. Plain text; blank lines separate paragraphs.")
    process = models.TextField(help_text="How a claim is chosen, researched, written up and approved.")
    corrections_policy = models.TextField(help_text="When and how published fact-checks are corrected or retracted.")
    how_to_request_a_correction = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "methodology"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="methodology_single_row")]

    def __str__(self):
        return "Methodology"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)


class JobKind(models.TextChoices):
    IMPORT_CLAIMREVIEW = "import_claimreview", "ClaimReview import"
    INTAKE_ARTICLE = "intake_article", "Article from its address"
    EXPORT_VERDICTS = "export_verdicts", "Verdict export"
    SEND_MAIL = "send_mail", "Mail"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    RETRYING = "retrying", "Waiting to try again"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


FINISHED_JOB_STATES = (JobState.SUCCEEDED, JobState.FAILED)
# How a job's state moves. A runner takes a queued or retrying job (``JobQuerySet.claim``), or a running one
# whose runner died; it renews its lease as it runs, and ends by succeeding, failing, or waiting to try again
# after a transient fault. A job whose message never reached the queue fails from the queue.
JOB_MOVES = {
    JobState.QUEUED: {JobState.RUNNING, JobState.FAILED},
    JobState.RETRYING: {JobState.RUNNING},
    JobState.RUNNING: {JobState.RUNNING, JobState.RETRYING, JobState.SUCCEEDED, JobState.FAILED},
    JobState.SUCCEEDED: set(),
    JobState.FAILED: set(),
}


class JobBusy(Exception):
    """Another runner holds the job under a live lease: it is alive, and the job must not run twice at once."""

    def __init__(self, until: datetime.datetime):
        super().__init__(f"The job is running elsewhere until {until:%H:%M:%S} at least.")
        self.until = until


class LostJob(Exception):
    """A runner that no longer holds its job (its lease lapsed and another took it over, or it ended): what it
    writes must not count, so its job's writes are refused and its transaction rolled back."""


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Editors (who have ``view_job``) see every job; anyone else the jobs they started."""
        if sees_unpublished(user, self.model):
            return self
        if user.is_authenticated:
            return self.filter(started_by=user)
        return self.none()

    def start(self, kind: str, *, user=None, arguments: dict | None = None, key: str = "") -> tuple["Job", bool]:
        """A new queued job and True; or, when a job was started under the same ``key``, that job and False.

        A key names the work rather than the request: the same notification, the same upload sent twice. Without
        one every start is a job of its own.
        """
        return self.get_or_create(
            idempotency_key=key or uuid.uuid4().hex,
            defaults={
                "kind": kind,
                "started_by": user if user is not None and user.is_authenticated else None,
                "arguments": arguments or {},
            },
        )

    def claim(self, pk: int) -> "Job | None":
        """Job ``pk``, taken to run as its next attempt under a fresh lease; None if it has ended (or is gone).

        A job that has ended is never run again, however often its message is delivered. A job running under a
        live lease raises ``JobBusy``. A lapsed lease means its runner died: the job is taken over, and the dead
        runner's writes no longer count (``LostJob``).
        """
        now = timezone.now()
        with transaction.atomic():
            job = self.select_for_update().filter(pk=pk).first()
            if job is None or job.state in FINISHED_JOB_STATES:
                return None
            if job.state == JobState.RUNNING and job.lease_expires_at > now:
                raise JobBusy(job.lease_expires_at)
            job.attempts += 1
            job.state = JobState.RUNNING
            job.lease_expires_at = job.lease_end(now)
            job.started_at = job.started_at or now
            job.retry_at = None
            job.error = job.error_code = ""  # why the last attempt failed is behind it
            job.save(
                update_fields=[
                    "attempts",
                    "state",
                    "lease_expires_at",
                    "started_at",
                    "retry_at",
                    "error",
                    "error_code",
                    "updated_at",
                ]
            )
        return job

    def finished_before(self, when: datetime.datetime):
        return self.filter(state__in=FINISHED_JOB_STATES, finished_at__lt=when)


class Job(models.Model):
    """One piece of work done in the background (``claims.jobs``): what it is, who started it, how far it got,
    and how it ended: its result, or an error its user can read.

    Every change of state is a move of ``JOB_MOVES`` made by the attempt that holds the job, so a runner that
    lost it (a worker presumed dead that was only slow) cannot overwrite the one that took over. The
    ``idempotency_key`` names the work: starting it again answers with the job already started.
    """

    kind = models.CharField(max_length=30, choices=JobKind.choices)
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    arguments = models.JSONField(default=dict, blank=True, help_text="What the job was asked to do.")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Empty until the job knows.")
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, help_text="Why it failed, or why it will try again, for its user.")
    error_code = models.CharField(max_length=40, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["started_by", "-id"], name="job_started_by_latest")]
        constraints = [
            _choices_constraint("kind", JobKind, "job"),
            _choices_constraint("state", JobState, "job"),
            models.CheckConstraint(
                condition=Q(state__in=FINISHED_JOB_STATES, finished_at__isnull=False)
                | (~Q(state__in=FINISHED_JOB_STATES) & Q(finished_at__isnull=True)),
                name="job_finished_once_ended",
            ),
            models.CheckConstraint(
                condition=~Q(state=JobState.RUNNING) | Q(lease_expires_at__isnull=False), name="job_runs_leased"
            ),
            models.CheckConstraint(condition=~Q(state=JobState.FAILED) | ~Q(error=""), name="job_failure_says_why"),
            models.CheckConstraint(condition=Q(total__isnull=True) | Q(done__lte=F("total")), name="job_done_of_total"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_JOB_STATES

    @property
    def progress(self) -> str:
        """How far it got, in words: "1,200 of 5,000", or "1,200" while the total is unknown."""
        return f"{self.done:,} of {self.total:,}" if self.total is not None else f"{self.done:,}"

    def files(self) -> list[str]:
        """The names in the default storage of the files this job owns: its uploads and what it wrote."""
        names = [upload["name"] for upload in self.arguments.get("files", [])]
        return [*names, self.result["file"]] if self.result.get("file") else names

    def lease_end(self, now: datetime.datetime | None = None) -> datetime.datetime:
        return (now or timezone.now()) + datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)

    def report_progress(self, done: int, total: int | None = None, *, result: dict | None = None) -> None:
        """Record how far the job got (and, with ``result``, what it has committed so far) and renew its lease.

        Made inside the transaction of the work it reports, it commits with that work or not at all.
        """
        changes = {"done": done, "lease_expires_at": self.lease_end()}
        if total is not None:
            changes["total"] = total
        if result is not None:
            changes["result"] = result
        self._move(JobState.RUNNING, **changes)

    def succeed(self, result: dict, *, done: int, total: int | None) -> None:
        now = timezone.now()
        self._move(
            JobState.SUCCEEDED,
            result=result,
            done=done,
            total=total,
            finished_at=now,
            lease_expires_at=None,
            error="",
            error_code="",
        )

    def fail(self, error: str, *, code: str = "failed") -> None:
        now = timezone.now()
        self._move(JobState.FAILED, error=error, error_code=code, finished_at=now, lease_expires_at=None)

    def wait_to_retry(self, error: str, *, at: datetime.datetime) -> None:
        self._move(JobState.RETRYING, error=error, error_code="retrying", retry_at=at, lease_expires_at=None)

    def _move(self, to: str, **changes) -> None:
        """Move to state ``to`` with ``changes``, if ``JOB_MOVES`` allows it and this attempt still holds the job;
        else ``LostJob``."""
        if to not in JOB_MOVES[self.state]:
            raise LostJob(f"Job {self.pk} is {self.state}: it does not become {to}.")
        changes = {"state": to, "updated_at": timezone.now(), **changes}
        holding = Job.objects.filter(pk=self.pk, state=self.state, attempts=self.attempts)
        if not holding.update(**changes):
            raise LostJob(f"Job {self.pk} was taken over or ended while attempt {self.attempts} ran.")
        for name, value in changes.items():
            setattr(self, name, value)


@receiver(m2m_changed, sender=Claim.topics.through)
def note_a_public_change_of_topics(sender, instance, action, reverse, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        claims = instance.claims.all() if reverse else Claim.objects.filter(pk=instance.pk)
        claims.update(public_updated_at=timezone.now())


@receiver(m2m_changed, sender=Verdict.evidence.through)
def refuse_to_change_the_evidence_of_a_submitted_verdict(sender, instance, action, reverse, **kwargs):
    """A verdict's citations are fixed once it goes to review, whatever changes them."""
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    if not reverse:
        verdicts = [instance]
    elif action == "pre_clear":
        verdicts = instance.cited_by.all()
    else:
        verdicts = Verdict.objects.filter(pk__in=kwargs["pk_set"])
    submitted = [verdict for verdict in verdicts if verdict.status != VerdictStatus.DRAFT]
    if submitted:
        raise ValidationError({"evidence": f"Verdict {submitted[0].pk} is past draft: the evidence it cites is fixed."})
