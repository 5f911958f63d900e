"""Representations: reads embed what a researcher needs in one call, writes take ids.

Writes run the model's ``full_clean()`` (``CleanModelSerializer``), so the API refuses exactly
what the admin refuses: constraints, a claim dated after its source, a verbatim quote missing
from the source text.
"""

import operator

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from claims.models import Claim, Evidence, Rating, Source, Speaker, Topic, Verdict
from claims.selection import MAX_ID


class JsonTypeMixin:
    """Refuses a value of another JSON type instead of converting it, as DRF does (5 to "5", "yes" to True)."""

    json_types: tuple[type, ...] = (str,)

    def to_internal_value(self, data):
        if not isinstance(data, self.json_types) or (isinstance(data, bool) and bool not in self.json_types):
            expected = " or ".join(JSON_TYPE_NAMES[kind] for kind in self.json_types)
            raise serializers.ValidationError(f"Expected {expected}, not {_json_type_name(data)}.", code="invalid")
        # The schema's maxLength counts what is sent; DRF would count it after trimming whitespace.
        max_length = getattr(self, "max_length", None)
        if isinstance(data, str) and max_length is not None and len(data) > max_length:
            self.fail("max_length", max_length=max_length)
        return super().to_internal_value(data)


JSON_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _json_type_name(value) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array"}.get(type(value)) or JSON_TYPE_NAMES.get(type(value), "something else")


class StrictCharField(JsonTypeMixin, serializers.CharField):
    pass


class StrictSlugField(JsonTypeMixin, serializers.SlugField):
    pass


class StrictDateField(JsonTypeMixin, serializers.DateField):
    pass


class StrictChoiceField(JsonTypeMixin, serializers.ChoiceField):
    pass


class StrictBooleanField(JsonTypeMixin, serializers.BooleanField):
    json_types = (bool,)


class StrictIntegerField(JsonTypeMixin, serializers.IntegerField):
    json_types = (int,)


class StrictFloatField(JsonTypeMixin, serializers.FloatField):
    json_types = (int, float)


class StrictPrimaryKeyRelatedField(JsonTypeMixin, serializers.PrimaryKeyRelatedField):
    json_types = (int,)

    def to_internal_value(self, data):
        # Outside the database's id range no record can match, and PostgreSQL would fail the query.
        if isinstance(data, int) and not isinstance(data, bool) and not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "string",
        "description": "An http or https address, or empty.",
        "anyOf": [{"format": "uri", "pattern": "^https?://"}, {"maxLength": 0}],
    }
)
class HttpUrlSerializerField(JsonTypeMixin, serializers.CharField):
    """An http or https address, or empty; checked here rather than by a URLValidator on the field,
    so that the schema can say that empty is allowed (drf-spectacular reads such a validator as plain "uri")."""

    http_url = URLValidator(schemes=["http", "https"])

    def __init__(self, **kwargs):
        kwargs["validators"] = [v for v in kwargs.get("validators", []) if not isinstance(v, URLValidator)]
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value:
            try:
                self.http_url(value)
            except DjangoValidationError as error:
                raise serializers.ValidationError("Enter an http or https address.", code="invalid") from error
        return value


AS_READ = (serializers.CharField, serializers.IntegerField, serializers.BooleanField, serializers.ChoiceField)


def outputs_as_read(field) -> bool:
    """Whether the field outputs a stored value unchanged: strings, whole numbers, booleans, single choices."""
    return isinstance(field, AS_READ) and not isinstance(field, serializers.MultipleChoiceField)


class PlannedRepresentation:
    """Renders exactly as DRF's ``Serializer.to_representation`` with the per-field work decided once.

    DRF looks up and converts each field of each row anew, which costs more than fetching the rows
    for a list of 50 claims. Values that are already JSON (strings, numbers, booleans) are copied as
    they are; dates, nested serializers and related fields still go through their field.
    """

    def to_representation(self, instance):
        representation = {}
        for name, read, convert in self._plan():
            value = read(instance)
            representation[name] = value if value is None or convert is None else convert(value)
        return representation

    def _plan(self):
        if "_planned" not in self.__dict__:
            self._planned = [self._plan_field(field) for field in self._readable_fields]
        return self._planned

    def _plan_field(self, field):
        if isinstance(field, serializers.PrimaryKeyRelatedField) and len(field.source_attrs) == 1:
            return field.field_name, operator.attrgetter(f"{field.source}_id"), None
        if len(field.source_attrs) == 1 and field.source != "*" and not isinstance(field, serializers.ManyRelatedField):
            read = operator.attrgetter(field.source)
        else:
            read = field.get_attribute
        return field.field_name, read, None if outputs_as_read(field) else field.to_representation


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

    @transaction.atomic
    def _save(self, instance, validated_data):
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


class SpeakerSerializer(CleanModelSerializer):
    class Meta:
        model = Speaker
        fields = ["id", "name", "slug", "kind", "role", "affiliation", "same_as"]


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
    """A claim as the public reads it."""

    speaker = SpeakerSerializer(read_only=True)
    source = SourceSummarySerializer(read_only=True)
    first_appearance = SourceSummarySerializer(read_only=True, allow_null=True)
    topics = TopicSerializer(many=True, read_only=True)
    current_verdict = VerdictSummarySerializer(read_only=True, allow_null=True)

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
    """A claim as the newsroom reads it, with its internal fields."""

    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

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


class QueryIntegerField(serializers.IntegerField):
    """An integer query parameter: given but empty (``?limit=``) is an error, not a request for the default."""

    def get_value(self, dictionary):
        if dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


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


class SimilarityField(serializers.FloatField):
    """A similarity score to three decimals: finer differences between texts mean nothing."""

    def to_representation(self, value):
        return round(value, 3)


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


class VerdictSerializer(StrictModelSerializer):
    """A verdict as the public reads it."""

    rating = RatingSerializer(read_only=True)

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
    """A draft verdict's text and rating; the workflow saves it."""

    class Meta:
        model = Verdict
        fields = ["claim", "rating", "headline", "summary", "body", "url", "language"]


class VerdictMoveSerializer(serializers.Serializer):
    reason = StrictCharField(
        required=False, allow_blank=True, max_length=2000, help_text="Required to retract: the public reason."
    )


# Evidence


class EvidenceSerializer(CleanModelSerializer):
    added_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

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
            "added_by",
            "created_at",
        ]
        read_only_fields = ["added_by", "created_at"]
