"""Field types of the API: JSON values of the types the schema promises and no others, http(s) links,
query integers, similarity scores."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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


class QueryIntegerField(serializers.IntegerField):
    """An integer query parameter: given but empty (``?limit=``) is an error, not a request for the default."""

    def get_value(self, dictionary):
        if dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


class SimilarityField(serializers.FloatField):
    """A similarity score to three decimals: finer differences between texts mean nothing."""

    def to_representation(self, value):
        return round(value, 3)
