"""A claim's timeline for editors: every change to the claim, its verdicts and its evidence, in order,
read from their history (django-simple-history) in words people use.

Each entry says when, who (by name; an import or a command when nobody is recorded), what (created,
changed, deleted, with the move and its reason) and, for a change, each field's old and new value
with its label: statuses and kinds by their names, people and ratings by what they are called.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator

from claims.intake.claimreview.importing import CHANGE_REASON as IMPORTED
from claims.models import Claim, Evidence, Verdict

# Kept by the models for their own reasons, never news to an editor.
UNTOLD = {"version", "updated_at", "created_at", "public_updated_at", "shown", "search_vector", "slug"}
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Difference:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    at: datetime
    who: str
    what: str
    reason: str
    differences: list[Difference] = field(default_factory=list)


def claim_timeline(claim: Claim) -> list[Entry]:
    """The claim's history and that of its verdicts and evidence, oldest first."""
    histories = [
        ("Claim", claim.history.all()),
        ("Verdict", Verdict.history.filter(claim_id=claim.pk)),
        ("Evidence", Evidence.history.filter(claim_id=claim.pk)),
    ]
    entries = []
    names = _Names()
    for kind, records in histories:
        previous = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(record.id)
            entries.append(_entry(kind, record, before, names))
            previous[record.id] = record
    return sorted(entries, key=lambda entry: entry.at)


def _entry(kind: str, record, before, names: "_Names") -> "Entry":
    if kind == "Verdict" and record.corrects_id:
        kind = "Correction"
    what = f"{kind} {_quoted(record)} {ACTIONS[record.history_type]}"
    differences = []
    if before is not None and record.history_type == "~":
        delta = record.diff_against(before, excluded_fields=UNTOLD)
        differences = [names.difference(record.instance_type, change) for change in delta.changes]
    return Entry(
        at=record.history_date,
        who=_who(record, kind),
        what=what,
        reason=record.history_change_reason or "",
        differences=differences,
    )


def _quoted(record) -> str:
    words = getattr(record, "headline", "") or getattr(record, "title", "") or getattr(record, "text", "")
    return f"“{Truncator(words).chars(60)}”" if words else f"{record.id}"


def _who(record, kind: str) -> str:
    user = record.history_user
    if user is not None:
        return user.get_full_name() or user.get_username()
    if record.history_change_reason == IMPORTED:
        publisher = getattr(record, "publisher_name", "")
        return f"Imported from {publisher}" if publisher else "Imported from ClaimReview"
    return "A command or a script (no user recorded)"


class _Names:
    """Values as people name them: choices by label, related records by their name, remembered."""

    def __init__(self):
        self.known: dict[tuple[type, object], str] = {}

    def difference(self, model: type[models.Model], change) -> Difference:
        model_field = model._meta.get_field(change.field)
        return Difference(
            label=str(model_field.verbose_name).capitalize(),
            before=self.value(model_field, change.old),
            after=self.value(model_field, change.new),
        )

    def value(self, model_field, value) -> str:
        if value is None or value == "":
            return "(empty)"
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if model_field.many_to_many:
            target = model_field.m2m_reverse_field_name()
            return ", ".join(self.related(model_field.related_model, row[target]) for row in value) or "(none)"
        if model_field.is_relation:
            return self.related(model_field.related_model, value)
        if isinstance(value, datetime):
            return f"{timezone.localtime(value):%-d %b %Y, %H:%M}"
        if isinstance(value, date):
            return f"{value:%-d %B %Y}"
        return Truncator(str(value)).chars(200)

    def related(self, model: type[models.Model], pk) -> str:
        if (model, pk) not in self.known:
            obj = model._default_manager.filter(pk=pk).first()
            if obj is None:
                name = f"{model._meta.verbose_name} {pk} (deleted)"
            elif model is get_user_model():
                name = obj.get_full_name() or obj.get_username()
            else:
                name = str(obj)
            self.known[(model, pk)] = name
        return self.known[(model, pk)]
