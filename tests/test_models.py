"""Integrity rules: single-table rules held by the database itself, cross-record rules by validation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from claims.models import Claim, Rating, Source, Speaker, StaleVersionError, Verdict
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    SpeakerFactory,
    TopicFactory,
    UserFactory,
    VerdictFactory,
    rating,
)

pytestmark = pytest.mark.django_db


def refused_by_database(make_row, constraint: str | None = None) -> None:
    """The row is refused by the database, bypassing every form and ``clean()``.

    PostgreSQL and SQLite both name a violated CHECK constraint in the error; SQLite names a
    UNIQUE one by its columns, so ``constraint`` is only checked for CHECK constraints.
    """
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        make_row()
    if constraint:
        assert constraint in str(caught.value)


def update(obj, **values) -> None:
    type(obj).objects.filter(pk=obj.pk).update(**values)


class TestSingleTableRulesInTheDatabase:
    def test_it_refuses_a_source_url_registered_twice(self):
        SourceFactory(url="https://news.example/a")
        refused_by_database(lambda: SourceFactory(url="https://news.example/a"))

    def test_it_accepts_several_sources_without_url(self):
        SourceFactory(url="")
        SourceFactory(url="")
        assert Source.objects.filter(url="").count() == 2

    def test_it_refuses_a_source_without_url_registered_twice_by_title_and_publisher(self):
        SourceFactory(url="", title="Budget speech", publisher="Wire")
        refused_by_database(lambda: SourceFactory(url="", title="Budget speech", publisher="Wire"))
        # Another publisher's, or one with a URL (its key then), is another source.
        SourceFactory(url="", title="Budget speech", publisher="Other Wire")
        SourceFactory(url="https://wire.example/speech", title="Budget speech", publisher="Wire")
        # Up to the longest title and publisher in three-byte characters: within PostgreSQL's index row.
        SourceFactory(url="", title="報" * 500, publisher="社" * 200)
        refused_by_database(lambda: SourceFactory(url="", title="報" * 500, publisher="社" * 200))

    def test_it_refuses_a_claim_recorded_twice_in_one_source_however_long_its_text(self):
        source = SourceFactory()
        # Far beyond what PostgreSQL can index in a row (about 2,700 bytes): the key holds the text's digest.
        text = " ".join(f"word{number}" for number in range(20_000))
        ClaimFactory(source=source, text=text)
        refused_by_database(lambda: ClaimFactory(source=source, text=text))
        ClaimFactory(source=source, text=text + ".")
        ClaimFactory(source=SourceFactory(), text=text)
        assert Claim.objects.filter(text__startswith="word0 ").count() == 3

    def test_a_duplicate_is_refused_by_validation_naming_what_makes_it_one(self):
        claim = ClaimFactory()
        with pytest.raises(ValidationError) as caught:
            Claim(text=claim.text, source=claim.source, speaker=claim.speaker).full_clean()
        assert caught.value.messages == ["A claim with this text from this source is already recorded."]
        source = SourceFactory(url="", title="Budget speech", publisher="Wire")
        with pytest.raises(ValidationError) as caught:
            Source(title=source.title, publisher=source.publisher).full_clean()
        assert caught.value.messages == ["A source with this title and publisher and no URL is already registered."]

    def test_it_refuses_a_speaker_slug_registered_twice(self):
        SpeakerFactory(slug="mike-pompeo")
        refused_by_database(lambda: SpeakerFactory(slug="mike-pompeo"))

    def test_it_refuses_a_speaker_without_slug(self):
        speaker = SpeakerFactory()
        refused_by_database(lambda: update(speaker, slug=""), "speaker_slug_not_empty")

    def test_a_speaker_saved_without_slug_gets_the_one_intake_matches_on(self):
        speaker = Speaker(name="习近平")
        speaker.full_clean()
        speaker.save()
        assert speaker.slug == Speaker.slug_for("习近平") != ""
        assert Speaker.objects.create(name="Søren Kierkegaard").slug == Speaker.slug_for("Søren Kierkegaard")

    def test_it_refuses_a_topic_slug_registered_twice(self):
        TopicFactory(slug="oil")
        refused_by_database(lambda: TopicFactory(slug="oil"))

    def test_it_refuses_a_rating_label_registered_twice(self):
        refused_by_database(lambda: Rating.objects.create(label="False", slug="false-2"))

    def test_it_refuses_a_verdict_url_registered_twice(self):
        VerdictFactory(url="https://newsroom.example/fact-checks/1")
        refused_by_database(lambda: VerdictFactory(url="https://newsroom.example/fact-checks/1"))

    def test_it_refuses_the_same_link_twice_as_evidence_for_one_claim(self):
        evidence = EvidenceFactory()
        refused_by_database(lambda: EvidenceFactory(claim=evidence.claim, url=evidence.url))

    @pytest.mark.parametrize(
        ("model_factory", "field", "constraint"),
        [
            (SourceFactory, "kind", "source_kind_valid"),
            (SpeakerFactory, "kind", "speaker_kind_valid"),
            (ClaimFactory, "status", "claim_status_valid"),
            (ClaimFactory, "claim_date_precision", "claim_claim_date_precision_valid"),
            (VerdictFactory, "status", "verdict_status_valid"),
            (EvidenceFactory, "stance", "evidence_stance_valid"),
            (EvidenceFactory, "kind", "evidence_kind_valid"),
        ],
    )
    def test_it_refuses_a_value_outside_the_allowed_choices(self, model_factory, field, constraint):
        obj = model_factory()
        refused_by_database(lambda: update(obj, **{field: "bogus"}), constraint)

    @pytest.mark.parametrize(
        ("model_factory", "field", "constraint"),
        [
            (SourceFactory, "title", "source_title_not_empty"),
            (SpeakerFactory, "name", "speaker_name_not_empty"),
            (ClaimFactory, "text", "claim_text_not_empty"),
            (EvidenceFactory, "title", "evidence_title_not_empty"),
        ],
    )
    def test_it_refuses_an_empty_required_text(self, model_factory, field, constraint):
        obj = model_factory()
        refused_by_database(lambda: update(obj, **{field: ""}), constraint)

    @pytest.mark.parametrize("value", [-0.01, 1.01])
    def test_it_refuses_a_checkworthiness_outside_0_to_1(self, value):
        claim = ClaimFactory()
        refused_by_database(lambda: update(claim, checkworthiness=value), "claim_checkworthiness_range")

    @pytest.mark.parametrize("value", [0.0, 1.0, None])
    def test_it_accepts_a_checkworthiness_at_the_bounds(self, value):
        claim = ClaimFactory()
        update(claim, checkworthiness=value)
        claim.refresh_from_db()
        assert claim.checkworthiness == value

    def test_it_refuses_a_rejected_claim_without_reason(self):
        claim = ClaimFactory()
        refused_by_database(lambda: update(claim, status="rejected"), "claim_rejected_has_reason")

    def test_it_refuses_an_assigned_claim_without_assignee(self):
        claim = ClaimFactory()
        refused_by_database(lambda: update(claim, status="assigned"), "claim_assigned_has_assignee")

    def test_it_refuses_a_verdict_in_review_without_rating(self):
        verdict = VerdictFactory(rating=None)
        refused_by_database(lambda: update(verdict, status="in_review"), "verdict_submitted_is_complete")

    def test_it_refuses_a_verdict_of_our_own_without_author(self):
        refused_by_database(lambda: VerdictFactory(author=None), "verdict_own_has_author")

    def test_it_refuses_an_imported_verdict_with_a_local_author(self):
        refused_by_database(
            lambda: VerdictFactory(publisher_name="Other Fact-Checker"), "verdict_imported_has_no_local_people"
        )

    def test_it_accepts_an_imported_published_verdict_without_approver(self):
        verdict = VerdictFactory(
            publisher_name="Other Fact-Checker", author=None, status=Verdict.Status.PUBLISHED, published_at=None
        )
        assert verdict.approved_by is None

    def test_it_refuses_a_published_verdict_of_our_own_without_approver(self):
        verdict = VerdictFactory(in_review=True)
        refused_by_database(
            lambda: update(verdict, status="published", published_at=timezone.now()),
            "verdict_own_published_is_approved",
        )

    def test_it_refuses_a_published_verdict_of_our_own_without_publication_time(self):
        verdict = VerdictFactory(published=True)
        refused_by_database(lambda: update(verdict, published_at=None), "verdict_own_published_is_approved")

    def test_it_refuses_an_approver_who_is_the_author(self):
        verdict = VerdictFactory(published=True)
        refused_by_database(lambda: update(verdict, approved_by=verdict.author), "verdict_approver_is_not_author")

    def test_it_refuses_a_retraction_without_reason(self):
        verdict = VerdictFactory(published=True)
        refused_by_database(
            lambda: update(verdict, status="retracted", retracted_at=timezone.now()), "verdict_retracted_has_reason"
        )


class TestProtectedReferences:
    def test_it_keeps_a_speaker_that_claims_point_to(self):
        claim = ClaimFactory()
        with pytest.raises(ProtectedError):
            claim.speaker.delete()

    def test_it_keeps_a_source_that_claims_point_to(self):
        claim = ClaimFactory()
        with pytest.raises(ProtectedError):
            claim.source.delete()

    def test_it_keeps_a_claim_that_verdicts_point_to(self):
        verdict = VerdictFactory()
        with pytest.raises(ProtectedError):
            verdict.claim.delete()

    def test_it_keeps_a_rating_that_verdicts_use(self):
        VerdictFactory(rating=rating("true"))
        with pytest.raises(ProtectedError):
            rating("true").delete()

    def test_it_keeps_a_user_who_wrote_a_verdict(self):
        verdict = VerdictFactory()
        with pytest.raises(ProtectedError):
            verdict.author.delete()


class TestRulesAcrossRecords:
    def test_it_refuses_a_claim_dated_after_its_source(self):
        claim = ClaimFactory.build(source=SourceFactory(published_on=datetime.date(2019, 7, 5)))
        claim.speaker.save()
        claim.claim_date = datetime.date(2019, 7, 6)
        with pytest.raises(ValidationError) as caught:
            claim.full_clean()
        assert "after its source's publication date 2019-07-05" in caught.value.message_dict["claim_date"][0]

    def test_it_accepts_a_claim_made_the_day_its_source_appeared(self):
        claim = ClaimFactory(
            source=SourceFactory(published_on=datetime.date(2019, 7, 5)), claim_date=datetime.date(2019, 7, 5)
        )
        claim.full_clean()

    def test_it_refuses_a_verbatim_claim_whose_text_is_not_in_its_source(self):
        source = SourceFactory(text="The minister said unemployment fell by 3 percent.")
        claim = ClaimFactory.build(source=source, text="unemployment fell by 5 percent", is_verbatim=True)
        claim.speaker.save()
        with pytest.raises(ValidationError) as caught:
            claim.full_clean()
        assert "does not occur in the source's text" in caught.value.message_dict["text"][0]

    def test_it_matches_a_verbatim_quote_despite_typography_and_case(self):
        source = SourceFactory(text="He said: \u201cOnce again,\nthe people\u2019s  will prevails.\u201d")
        claim = ClaimFactory(source=source, text="once again, the people's will prevails", is_verbatim=True)
        claim.full_clean()

    def test_it_refuses_to_move_a_source_date_before_its_claims(self):
        claim = ClaimFactory(claim_date=datetime.date(2019, 7, 4))
        source = claim.source
        source.published_on = datetime.date(2019, 7, 1)
        with pytest.raises(ValidationError) as caught:
            source.full_clean()
        assert f"Claim {claim.pk} is dated 2019-07-04" in caught.value.message_dict["published_on"][0]

    def test_it_refuses_a_source_text_that_drops_a_verbatim_quote(self):
        source = SourceFactory(text="Unemployment fell by 3 percent, she said.")
        claim = ClaimFactory(source=source, text="Unemployment fell by 3 percent", is_verbatim=True)
        source.text = "She talked about jobs."
        with pytest.raises(ValidationError) as caught:
            source.full_clean()
        assert str(claim.pk) in caught.value.message_dict["text"][0]

    @pytest.mark.parametrize(
        ("model_factory", "field"),
        [(SourceFactory, "url"), (SpeakerFactory, "same_as"), (EvidenceFactory, "url")],
    )
    def test_it_refuses_links_that_are_not_http(self, model_factory, field):
        obj = model_factory()
        setattr(obj, field, "javascript://example.com/%0Aalert(1)")
        with pytest.raises(ValidationError) as caught:
            obj.full_clean()
        assert field in caught.value.message_dict


class TestPublishedVerdicts:
    def test_it_refuses_to_edit_a_published_verdict_in_place(self):
        verdict = VerdictFactory(published=True)
        verdict.headline = "Something else"
        with pytest.raises(ValidationError, match=r"cannot be edited in place \(changed: headline\)"):
            verdict.full_clean()

    def test_a_plain_save_cannot_edit_a_published_verdict_either(self):
        verdict = VerdictFactory(published=True)
        verdict.rating = rating("true")
        with pytest.raises(ValidationError, match=r"cannot be edited in place \(changed: rating\)"):
            verdict.save()
        assert Verdict.objects.get(pk=verdict.pk).rating == rating("false")

    def test_it_refuses_to_overwrite_a_newer_version(self):
        verdict = VerdictFactory()
        first, second = Verdict.objects.get(pk=verdict.pk), Verdict.objects.get(pk=verdict.pk)
        first.headline = "First reviewer's headline"
        first.save()
        second.headline = "Second reviewer's headline"
        with pytest.raises(StaleVersionError, match=f"Verdict {verdict.pk} was changed by someone else"):
            second.save()
        verdict.refresh_from_db()
        assert (verdict.headline, verdict.version) == ("First reviewer's headline", 2)


class TestPublishedClaims:
    @pytest.mark.parametrize(
        ("field", "value"),
        [("text", "Something else."), ("is_verbatim", True), ("claim_date", datetime.date(2019, 7, 1))],
    )
    def test_what_its_fact_check_checked_cannot_change(self, field, value):
        claim = VerdictFactory(published=True).claim
        setattr(claim, field, value)
        with pytest.raises(ValidationError) as caught:
            claim.full_clean()
        assert set(caught.value.message_dict) == {field}
        with pytest.raises(ValidationError):
            claim.save()  # as a shell or a script would, without validating
        assert getattr(Claim.objects.get(pk=claim.pk), field) != value

    def test_it_refuses_another_speaker_or_source(self):
        claim = VerdictFactory(published=True).claim
        claim.speaker, claim.source = SpeakerFactory(), SourceFactory()
        with pytest.raises(ValidationError) as caught:
            claim.save()
        assert set(caught.value.message_dict) == {"speaker", "source"}

    def test_its_notes_and_topics_still_change(self):
        claim = VerdictFactory(published=True).claim
        claim.notes = "Asked the ministry for its table."
        claim.full_clean()
        claim.save()
        assert Claim.objects.get(pk=claim.pk).notes == "Asked the ministry for its table."

    def test_a_claim_not_yet_published_changes_freely(self):
        claim = ClaimFactory()
        claim.text = "Unemployment fell by half."
        claim.full_clean()
        claim.save()
        assert Claim.objects.get(pk=claim.pk).text == "Unemployment fell by half."


class TestHistory:
    @pytest.mark.parametrize(
        "model_factory", [SourceFactory, SpeakerFactory, TopicFactory, ClaimFactory, VerdictFactory, EvidenceFactory]
    )
    def test_it_records_create_change_and_delete(self, model_factory):
        obj = model_factory()
        model, pk = type(obj), obj.pk
        obj.save()
        obj.delete()
        history_types = model.history.filter(id=pk).order_by("history_id").values_list("history_type", flat=True)
        assert list(history_types) == ["+", "~", "-"]

    def test_it_records_who_changed_a_claim_and_its_topics(self):
        claim = ClaimFactory()
        editor = UserFactory(role="editor")
        claim._history_user = editor
        claim.topics.add(TopicFactory(name="Oil"))
        claim.status = Claim.Status.CHECKWORTHY
        claim.save()
        latest = claim.history.latest()
        assert latest.history_user == editor
        assert latest.status == "checkworthy"
        assert [t.topic.name for t in latest.topics.all()] == ["Oil"]

    def test_it_keeps_the_rating_scale_from_the_data_migration(self):
        assert list(Rating.objects.values_list("slug", "value")) == [
            ("true", 5),
            ("mostly-true", 4),
            ("half-true", 3),
            ("mostly-false", 2),
            ("false", 1),
            ("misleading", None),
            ("unproven", None),
        ]
