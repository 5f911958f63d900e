"""Factories for every model; users come with a role (``UserFactory(role="editor")``)."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from claims.models import Claim, Evidence, Rating, Source, Speaker, Topic, Verdict


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
    def publish_claim(verdict, create, extracted, **kwargs):
        """A published verdict makes its claim published, with the verdict current as ``workflow.verdict_publish``
        makes it (another publisher's by the rule of ``Claim.refresh_current_verdict``), and gets a page of ours
        unless it has an address of its own."""
        if create and verdict.status == Verdict.Status.PUBLISHED:
            if not verdict.url:
                verdict.slug = Verdict.slug_for(pk=verdict.pk, headline=verdict.headline)
                Verdict.objects.filter(pk=verdict.pk).update(slug=verdict.slug)
            claims = Claim.objects.filter(pk=verdict.claim_id)
            claims.update(status=Claim.Status.PUBLISHED)
            if verdict.publisher_name:
                claims.refresh_current_verdicts()
            else:
                claims.update(current_verdict=verdict)
            verdict.claim.refresh_from_db()


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    claim = factory.SubFactory(ClaimFactory)
    url = factory.Sequence(lambda n: f"https://stats.example/tables/{n}")
    title = "Labour force survey"
    stance = Evidence.Stance.REFUTES
    kind = Evidence.Kind.DATASET
