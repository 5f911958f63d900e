"""Fast rendering: exactly the output of the serializers, with the per-field work decided once.

DRF looks up and converts each field of each row anew. ``PlannedRepresentation`` decides once per
serializer how each field is read and converted. For lists, ``RowPlan`` goes further: a page of 50
claims is some 350 model instances (claim, speaker, sources, verdict, rating) that the serializers
then read back one attribute at a time, and building them costs more than the query. A plan reads
the serializer's fields once, names the columns they show, fetches those as plain rows and nests
them as the serializer would. Details and writes keep using model instances.
"""

import operator
from collections import defaultdict
from functools import cache

from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from claims.api.fields import outputs_as_read


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


class RowPlan:
    """The columns a serializer shows and how to turn one row of them into its representation."""

    def __init__(self, serializer: serializers.ModelSerializer, prefix: str = ""):
        self.model = serializer.Meta.model
        self.key = f"{prefix}pk"
        self.columns = [self.key]
        self.many: list[tuple[str, ManyPlan]] = []
        self.render = self._compile(serializer, prefix)

    def rows(self, queryset):
        """The queryset's rows with just this plan's columns (ordering, filters and annotations kept)."""
        return queryset.prefetch_related(None).values(*self.columns)

    def represent(self, rows) -> list[dict]:
        rows = list(rows)
        keys = [row[self.key] for row in rows]
        related = {name: plan.fetch(keys) for name, plan in self.many}
        return [self.render(row, related) for row in rows]

    def _compile(self, serializer, prefix: str):
        steps = []
        for field in serializer._readable_fields:
            column = prefix + field.source
            if isinstance(field, serializers.ListSerializer) and not prefix:
                self.many.append((field.field_name, ManyPlan(self.model, field.source, field.child)))
                steps.append((field.field_name, None, _related(field.field_name, self.key)))
            elif isinstance(field, serializers.ListSerializer):
                raise TypeError(f"{type(serializer).__name__}.{field.field_name}: lists are only planned at the top")
            elif isinstance(field, serializers.BaseSerializer):
                self.columns.append(f"{column}__pk")
                steps.append((field.field_name, None, _nested(f"{column}__pk", self._compile(field, f"{column}__"))))
            else:
                if isinstance(field, serializers.SlugRelatedField):
                    column = f"{column}__{field.slug_field}"
                self.columns.append(column)
                steps.append((field.field_name, column, _converter(field)))
        return _renderer(steps)


class ManyPlan:
    """The rows of a many-to-many field, or of the records pointing at each one (a speaker's aliases), for a page
    of records, in the related model's own order."""

    def __init__(self, model, relation: str, child: serializers.ModelSerializer):
        field = model._meta.get_field(relation)
        if field.many_to_many:
            self.through = field.remote_field.through
            self.owner = field.m2m_field_name()
            target = f"{field.m2m_reverse_field_name()}__"
        else:  # the other side of a foreign key
            self.through = field.related_model
            self.owner = field.field.name
            target = ""
        self.plan = RowPlan(child, prefix=target)
        self.ordering = [_prefixed(order, target) for order in child.Meta.model._meta.ordering]

    def fetch(self, owner_keys: list) -> dict:
        links = self.through.objects.filter(**{f"{self.owner}__in": owner_keys}).order_by(*self.ordering)
        grouped = defaultdict(list)
        for row in links.values(self.owner, *self.plan.columns):
            grouped[row[self.owner]].append(self.plan.render(row, {}))
        return grouped


def _prefixed(order: str, prefix: str) -> str:
    return f"-{prefix}{order[1:]}" if order.startswith("-") else prefix + order


def _converter(field):
    """What turns a column's value into the field's output: nothing, a fast ISO 8601 date-time, or the field."""
    if _verbatim(field):
        return None
    iso = str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601
    if isinstance(field, serializers.DateTimeField) and iso and not hasattr(field, "timezone"):
        return _iso_datetime
    return field.to_representation


def _iso_datetime(value):
    """DRF's DateTimeField output without its per-value look-up of the current time zone: this app
    never activates another one than the default (TIME_ZONE)."""
    text = value.astimezone(timezone.get_default_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _verbatim(field) -> bool:
    """Whether the column's value is already what the field would output (a related field's column holds its key)."""
    return isinstance(field, serializers.RelatedField) or outputs_as_read(field)


def _related(name, key):
    return lambda row, related: related[name].get(row[key], [])


def _nested(key_column, render):
    return lambda row, related: None if row[key_column] is None else render(row, related)


def _renderer(steps):
    def render(row, related):
        representation = {}
        for name, column, convert in steps:
            if column is None:
                representation[name] = convert(row, related)
            else:
                value = row[column]
                representation[name] = value if value is None or convert is None else convert(value)
        return representation

    return render


@cache
def plan_for(serializer_class: type[serializers.ModelSerializer]) -> RowPlan:
    return RowPlan(serializer_class())
