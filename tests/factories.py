"""Factories for every model; users come with a role (``UserFactory(role="editor")``)."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from claims.intake.extraction import Candidate
from claims.models import Claim, Evidence, FactCheckEvent, Rating, Source, Speaker, Topic, Verdict


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        """Put the user in a role's group; editors and reviewers also get into the admin."""
        if create and extracted:
            user.groups.add(Group.objects.get(name=extracted))
            user.is_staff = extracted in ("editor", "reviewer")
            user.save(update_fields=["is_staff"])


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://news.example/articles/{n}")
    title = factory.Sequence(lambda n: f"Article {n}")
    publisher = "Example News"
    published_on = datetime.date(2019, 7, 5)
    text = ""


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.Sequence(lambda n: f"speaker-{n}")
    role = "Minister"


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    text = factory.Sequence(lambda n: f"Unemployment fell by {n} percent last year.")
    speaker = factory.SubFactory(SpeakerFactory)
    source = factory.SubFactory(SourceFactory)
    claim_date = datetime.date(2019, 7, 4)

    class Params:
        assigned = factory.Trait(
            status=Claim.Status.ASSIGNED, assignee=factory.SubFactory(UserFactory, role="reviewer")
        )


def rating(slug: str = "false") -> Rating:
    """A rating of the default scale, which a data migration ships."""
    return Rating.objects.get(slug=slug)


class VerdictFactory(factory.django.DjangoModelFactory):
    """A draft by a reviewer; ``in_review=True`` or ``published=True`` for later states."""

    class Meta:
        model = Verdict
        skip_postgeneration_save = True

    claim = factory.SubFactory(ClaimFactory, assigned=True)
    author = factory.SelfAttribute("claim.assignee")
    rating = factory.LazyFunction(rating)
    headline = "The figure is wrong"
    summary = "Official statistics show the opposite."

    class Params:
        in_review = factory.Trait(status=Verdict.Status.IN_REVIEW)
        published = factory.Trait(
            status=Verdict.Status.PUBLISHED,
            approved_by=factory.SubFactory(UserFactory, role="editor"),
            published_at=factory.LazyFunction(timezone.now),
        )
        # Another fact-checker's, as the ClaimReview import stores it; many give no date.
        imported = factory.Trait(
            status=Verdict.Status.PUBLISHED,
            author=None,
            publisher_name="Other Fact-Checker",
            url=factory.Sequence(lambda n: f"https://other-checker.example/checks/{n}"),
            published_at=None,
        )

    @factory.post_generation
    def as_the_workflow_leaves_it(verdict, create, extracted, **kwargs):
        """What ``workflow.verdict_create`` and ``verdict_publish`` leave besides the row: the author among
        the contributors and the claim's evidence cited; once published, the claim shown as it is, the claim
        published with its one address, the verdict current (another publisher's by the rule of
        ``Claim.refresh_current_verdict``; an earlier one of ours superseded) and the publication logged."""
        if not create:
            return
        if verdict.author_id:
            verdict.contributors.add(verdict.author)
        Verdict.evidence.through.objects.bulk_create(
            [Verdict.evidence.through(verdict=verdict, evidence=evidence) for evidence in verdict.claim.evidence.all()]
        )
        if verdict.status != Verdict.Status.PUBLISHED:
            return
        claim = Claim.objects.get(pk=verdict.claim_id)
        verdict.shown = claim.as_shown()
        claims = Claim.objects.filter(pk=claim.pk)
        claims.update(status=Claim.Status.PUBLISHED)
        if verdict.publisher_name:
            Verdict.objects.filter(pk=verdict.pk).update(shown=verdict.shown)
            claims.refresh_current_verdicts()
        else:
            claim.verdicts.own().filter(status=Verdict.Status.PUBLISHED).exclude(pk=verdict.pk).update(
                status=Verdict.Status.SUPERSEDED
            )
            if not claim.slug:
                verdict.slug = Verdict.slug_for(pk=verdict.pk, headline=verdict.headline)
                claims.update(slug=verdict.slug)
            Verdict.objects.filter(pk=verdict.pk).update(shown=verdict.shown, slug=verdict.slug)
            claims.refresh_current_verdicts()
            FactCheckEvent.objects.create(
                claim=claim, verdict=verdict, kind=FactCheckEvent.Kind.PUBLISHED, happened_at=verdict.published_at
            )
        verdict.claim.refresh_from_db()


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence
        skip_postgeneration_save = True

    claim = factory.SubFactory(ClaimFactory)
    url = factory.Sequence(lambda n: f"https://stats.example/tables/{n}")
    title = "Labour force survey"
    stance = Evidence.Stance.REFUTES
    kind = Evidence.Kind.DATASET

    @factory.post_generation
    def cited(evidence, create, extracted, **kwargs):
        """Cited by the verdicts its claim already has, as if it had been there when they were drafted
        (``cited=False``: added afterwards, as the workflow would leave it)."""
        if create and extracted is not False:
            Verdict.evidence.through.objects.bulk_create(
                [
                    Verdict.evidence.through(verdict=verdict, evidence=evidence)
                    for verdict in evidence.claim.verdicts.all()
                ],
                ignore_conflicts=True,
            )


class CandidateFactory(factory.Factory):
    """A claim the extractor proposes (no database row), as an editor ticks it."""

    class Meta:
        model = Candidate

    text = "The clinic treated 4,000 patients last year"
    context = ""
    speaker = "Priya Patel"
    speaker_kind = Speaker.Kind.PERSON
    is_verbatim = False
    claim_date = datetime.date(2024, 5, 13)
    claim_date_precision = Claim.DatePrecision.DAY
    date_basis = "on Monday"
    score = 0.75
    features = (("number", 0.15),)
    position = 0
