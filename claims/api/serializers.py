"""Representations: reads embed what a researcher needs in one call, writes take ids.

Writes run the model's ``full_clean()`` (``CleanModelSerializer``), so the API refuses exactly
what the admin refuses: constraints, a claim dated after its source, a verbatim quote missing
from the source text, a change to what a published claim was checked for.
"""

from functools import partial

from django.db import models
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from claims.api.fields import (
    HttpUrlSerializerField,
    QueryIntegerField,
    SimilarityField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictFloatField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    StrictSlugField,
)
from claims.api.rendering import PlannedRepresentation
from claims.models import (
    ChangeKind,
    Claim,
    Evidence,
    Rating,
    Source,
    Speaker,
    SpeakerAlias,
    Topic,
    Verdict,
    again_if_raced,
)


class StrictModelSerializer(PlannedRepresentation, serializers.ModelSerializer):
    """Takes JSON values of the types its schema promises, and no others."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.URLField: HttpUrlSerializerField,
        models.DateField: StrictDateField,
        models.BooleanField: StrictBooleanField,
        models.FloatField: StrictFloatField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
    }
    serializer_related_field = StrictPrimaryKeyRelatedField
    serializer_choice_field = StrictChoiceField


class CleanModelSerializer(StrictModelSerializer):
    """Saves through ``full_clean()``; many-to-many fields are set after the row is saved.

    DRF's own uniqueness checks are dropped: ``full_clean()`` checks the same constraints and
    answers with the messages the models give them.
    """

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.validators = [v for v in field.validators if not isinstance(v, UniqueValidator)]
        return fields

    def get_validators(self):
        return []

    def create(self, validated_data):
        return self._save(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, instance, validated_data):
        # A record with the same key stored by another request between this one's check and its write is refused
        # with the constraint's message, as the check would have refused it a moment later.
        return again_if_raced(partial(self._save_once, instance, validated_data))

    def _save_once(self, instance, validated_data):
        validated_data = dict(validated_data)
        many = {
            name: validated_data.pop(name)
            for name in list(validated_data)
            if instance._meta.get_field(name).many_to_many
        }
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()
        for name, value in many.items():
            getattr(instance, name).set(value)
        return instance


# Embedded summaries


class RatingSerializer(StrictModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "label", "slug", "value", "color", "description"]
        read_only_fields = fields


class TopicSerializer(CleanModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "name", "slug"]


class SpeakerAliasSerializer(CleanModelSerializer):
    class Meta:
        model = SpeakerAlias
        fields = ["name", "slug"]


class SpeakerSerializer(CleanModelSerializer):
    """A speaker as claims show it."""

    class Meta:
        model = Speaker
        fields = ["id", "name", "slug", "kind", "role", "affiliation", "same_as"]


class SpeakerResourceSerializer(SpeakerSerializer):
    """A speaker as the speakers resource shows it: with the other names they go by."""

    aliases = SpeakerAliasSerializer(
        many=True,
        read_only=True,
        help_text="Other names the speaker goes by; intake gives claims that name them to this speaker. "
        "Editors keep them in the admin.",
    )

    class Meta(SpeakerSerializer.Meta):
        fields = [*SpeakerSerializer.Meta.fields, "aliases"]


class SourceSerializer(CleanModelSerializer):
    class Meta:
        model = Source
        fields = [
            "id",
            "title",
            "publisher",
            "url",
            "author",
            "published_on",
            "kind",
            "language",
            "archived_url",
            "text",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class SourceIntakeSerializer(serializers.Serializer):
    """An article to add as a source: its address, or its saved page (with the address it came from, if known)."""

    url = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="The article's http(s) address. It is fetched unless `html` is given, and only from public "
        "addresses; an address already recorded answers with its source.",
    )
    html = StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The article's saved page (HTML), for a page that cannot be fetched; `url` then says where it was.",
    )
    published_on = StrictDateField(
        required=False,
        help_text="The publication date (YYYY-MM-DD), for a page that states none or a wrong one; it wins over "
        "the page's.",
    )

    def validate(self, data):
        if not data.get("url") and not data.get("html"):
            raise serializers.ValidationError({"url": "Give the article's address (url) or its saved page (html)."})
        if not data.get("html"):
            data.pop("html", None)  # an empty page is no page: the address is fetched
        return data


class SourceSummarySerializer(StrictModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "title", "publisher", "url", "published_on", "kind"]
        read_only_fields = fields


class VerdictSummarySerializer(StrictModelSerializer):
    rating = RatingSerializer(read_only=True)

    class Meta:
        model = Verdict
        fields = ["id", "rating", "headline", "summary", "url", "language", "published_at"]
        read_only_fields = fields


# Claims


class ClaimSerializer(StrictModelSerializer):
    """A claim as the public reads it: its ``updated_at`` moves only when something shown here changes."""

    speaker = SpeakerSerializer(read_only=True)
    source = SourceSummarySerializer(read_only=True)
    first_appearance = SourceSummarySerializer(read_only=True, allow_null=True)
    topics = TopicSerializer(many=True, read_only=True)
    current_verdict = VerdictSummarySerializer(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(source="public_updated_at", read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "text",
            "is_verbatim",
            "context",
            "speaker",
            "source",
            "first_appearance",
            "claim_date",
            "claim_date_precision",
            "topics",
            "checkworthiness",
            "status",
            "current_verdict",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StaffClaimSerializer(ClaimSerializer):
    """A claim as the newsroom reads it, with its internal fields; ``updated_at`` counts every change."""

    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "rejection_reason", "assignee", "notes"]
        read_only_fields = fields


class ClaimWriteSerializer(CleanModelSerializer):
    """What a reviewer sends to record or change a claim (the model refuses to change what a published
    one was checked for); its status changes through the workflow actions."""

    class Meta:
        model = Claim
        fields = [
            "text",
            "is_verbatim",
            "context",
            "speaker",
            "source",
            "first_appearance",
            "claim_date",
            "claim_date_precision",
            "topics",
            "checkworthiness",
            "notes",
        ]


# Similar claims ("already checked?")

SIMILAR_TEXT_MAX_LENGTH = 2000
SIMILAR_MAX_LIMIT = 50


class SimilarLimitSerializer(serializers.Serializer):
    """How many similar claims to answer with."""

    limit = QueryIntegerField(
        min_value=1, max_value=SIMILAR_MAX_LIMIT, default=10, help_text="How many claims to answer with, best first."
    )


class SimilarTextSerializer(SimilarLimitSerializer):
    """The text to find recorded claims like, and how many."""

    text = StrictCharField(
        max_length=SIMILAR_TEXT_MAX_LENGTH, help_text="The statement to look for, such as a claim being recorded."
    )


class SimilarVerdictSerializer(StrictModelSerializer):
    """What a similar claim's current fact-check concluded, and where to read it."""

    rating = serializers.CharField(source="rating.label", read_only=True)
    factcheck_url = serializers.SerializerMethodField()

    class Meta:
        model = Verdict
        fields = ["id", "rating", "headline", "published_at", "publisher_name", "factcheck_url"]
        read_only_fields = fields

    def get_factcheck_url(self, verdict) -> str | None:
        return verdict.factcheck_url()


class SimilarClaimSerializer(StrictModelSerializer):
    """A recorded claim like the text looked for: enough to recognise it, its score and its current verdict."""

    url = serializers.HyperlinkedIdentityField(view_name="claim-detail", read_only=True)
    speaker = SpeakerSerializer(read_only=True)
    source = SourceSummarySerializer(read_only=True)
    similarity = SimilarityField(read_only=True, min_value=0, max_value=1, help_text="Trigram similarity, 0 to 1.")
    current_verdict = SimilarVerdictSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Claim
        fields = ["id", "url", "text", "speaker", "source", "claim_date", "status", "similarity", "current_verdict"]
        read_only_fields = fields

    def to_representation(self, claim):
        if claim.current_verdict is not None:
            claim.current_verdict.claim = claim  # its page is the claim's: no query for what is at hand
        return super().to_representation(claim)


class SimilarClaimsSerializer(serializers.Serializer):
    """The similar claims the caller may see, best first."""

    results = SimilarClaimSerializer(many=True, read_only=True)


class ClaimRejectSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000, help_text="Why the claim is not worth checking; kept on record.")


class ClaimAssignSerializer(serializers.Serializer):
    assignee = StrictCharField(
        required=False, max_length=150, help_text="User name of the reviewer; yourself when left out."
    )


# Verdicts


class CitedEvidenceSerializer(StrictModelSerializer):
    """A piece of evidence a verdict cites, enough to follow it."""

    class Meta:
        model = Evidence
        fields = ["id", "title", "url", "publisher", "stance"]
        read_only_fields = fields


class VerdictSerializer(StrictModelSerializer):
    """A verdict as the public reads it: for a published version, the claim as it showed it and the
    evidence it cites, as an editor approved them; for a correction or update, what it changed."""

    rating = RatingSerializer(read_only=True)
    claim_as_shown = serializers.JSONField(
        source="shown",
        read_only=True,
        allow_null=True,
        help_text="The claim, its speaker, sources and topics as this version shows them; null for a draft.",
    )
    evidence = CitedEvidenceSerializer(many=True, read_only=True)
    change_kind = serializers.ChoiceField(
        choices=ChangeKind.choices,
        allow_blank=True,
        read_only=True,
        help_text="A correction or an update of the version it corrects; empty for a fact-check's first version.",
    )

    class Meta:
        model = Verdict
        fields = [
            "id",
            "claim",
            "rating",
            "headline",
            "summary",
            "body",
            "status",
            "url",
            "language",
            "published_at",
            "retracted_at",
            "retraction_reason",
            "corrects",
            "change_kind",
            "change_note",
            "claim_as_shown",
            "evidence",
            "publisher_name",
            "publisher_url",
        ]
        read_only_fields = fields


class StaffVerdictSerializer(VerdictSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta(VerdictSerializer.Meta):
        fields = [*VerdictSerializer.Meta.fields, "author", "approved_by", "version", "created_at", "updated_at"]
        read_only_fields = fields


class VerdictWriteSerializer(StrictModelSerializer):
    """A draft verdict's text, rating and cited evidence (ids of its claim's evidence); for a correction,
    its kind and the note readers see. The workflow saves it."""

    class Meta:
        model = Verdict
        fields = [
            "claim",
            "rating",
            "headline",
            "summary",
            "body",
            "url",
            "language",
            "change_kind",
            "change_note",
            "evidence",
        ]


class VerdictMoveSerializer(serializers.Serializer):
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Required to send back (what to change), to correct (why), and to retract or reinstate "
        "(the reason readers see).",
    )


# Evidence


class EvidenceSerializer(CleanModelSerializer):
    """Evidence as the public reads it: who on the staff added it is internal."""

    class Meta:
        model = Evidence
        fields = [
            "id",
            "claim",
            "url",
            "title",
            "publisher",
            "excerpt",
            "stance",
            "kind",
            "published_on",
            "archived_url",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class StaffEvidenceSerializer(EvidenceSerializer):
    added_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta(EvidenceSerializer.Meta):
        fields = [*EvidenceSerializer.Meta.fields, "added_by"]
        read_only_fields = ["added_by", "created_at"]
