"""Load a curated seed file (``seeds/*.yaml``): a source, the sources its claims first appeared in,
topics, speakers and claims.

Loading is idempotent: records are matched on natural keys and only saved when the file says
something different. A file that is malformed, or whose records break a model rule, is refused as a
whole with the line and field at fault; nothing is written. A speaker's slug is the one every intake
path matches speakers on (``Speaker.slug_for`` of the name). A record that another writer (an import,
another load) records at the same moment is matched as if it had been there first
(``again_if_raced``).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction

from claims.models import Claim, Source, Speaker, Topic, again_if_raced


class SeedError(Exception):
    def __init__(self, path: Path, line: int, field_name: str, problem: str):
        self.path, self.line, self.field_name, self.problem = path, line, field_name, problem
        super().__init__(f"{path}:{line}: {field_name}: {problem}")


class _Mapping(dict):
    """A YAML mapping that remembers the line of each of its keys."""

    line: int
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {key.value: key.start_mark.line + 1 for key, _ in node.value}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    required: bool = False


SOURCE_FIELDS = {
    "url": Field(str),
    "title": Field(str, required=True),
    "publisher": Field(str),
    "author": Field(str),
    "published_on": Field(datetime.date),
    "kind": Field(str),
    "language": Field(str),
    "text_file": Field(str),
}
FIRST_APPEARANCE_FIELDS = {**SOURCE_FIELDS, "key": Field(str, required=True)}
SPEAKER_FIELDS = {
    "slug": Field(str, required=True),
    "name": Field(str, required=True),
    "kind": Field(str, required=True),
    "role": Field(str),
    "affiliation": Field(str),
    "same_as": Field(str),
}
CLAIM_FIELDS = {
    "text": Field(str, required=True),
    "is_verbatim": Field(bool, required=True),
    "context": Field(str, required=True),
    "speaker": Field(str, required=True),
    "claim_date": Field(datetime.date, required=True),
    "claim_date_precision": Field(str),
    "date_basis": Field(str, required=True),
    "first_appearance": Field(str),
    "topics": Field(list, required=True),
}
TOP_LEVEL_FIELDS = {
    "source": Field(dict, required=True),
    "first_appearances": Field(list),
    "topics": Field(dict, required=True),
    "speakers": Field(list, required=True),
    "claims": Field(list, required=True),
}


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class _SeedFile:
    def __init__(self, path: Path):
        self.path = path

    def error(self, record: _Mapping, name: str, problem: str, where: str = "") -> SeedError:
        """An error about field ``name`` of ``record``, at that field's line (or the record's)."""
        line = record.key_lines.get(name, record.line) if isinstance(record, _Mapping) else 1
        return SeedError(self.path, line, f"{where}{name}", problem)

    def read(self) -> _Mapping:
        try:
            data = yaml.load(self.path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 (a SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            raise SeedError(self.path, mark.line + 1 if mark else 1, "(syntax)", str(error.problem)) from error
        except (OSError, UnicodeDecodeError) as error:
            raise SeedError(self.path, 1, "(file)", str(error)) from error
        if not isinstance(data, _Mapping):
            raise SeedError(self.path, 1, "(file)", "the file must hold a mapping with source, speakers and claims")
        return self.checked(data, TOP_LEVEL_FIELDS, "")

    def checked(self, record, fields: dict[str, Field], where: str) -> _Mapping:
        """Refuse unknown fields, missing required ones and values of the wrong type."""
        if not isinstance(record, _Mapping):
            raise SeedError(self.path, 1, where or "(file)", "expected a mapping of field names to values")
        for name in record:
            if name not in fields:
                raise self.error(record, name, f"unknown field; expected one of {', '.join(fields)}", where)
        for name, spec in fields.items():
            value = record.get(name)
            if value is None:
                if spec.required:
                    raise self.error(record, name, "this field is required", where)
                continue
            if not isinstance(value, spec.kind) or (spec.kind is not bool and isinstance(value, bool)):
                expected = spec.kind.__name__ if isinstance(spec.kind, type) else spec.kind
                if spec.kind is datetime.date:
                    expected = "date (YYYY-MM-DD)"
                raise self.error(record, name, f"expected a {expected}, got {value!r}", where)
        return record

    def validated(self, obj: models.Model, record: _Mapping, where: str, field_names: dict[str, str] | None = None):
        """Run the model's own validation, reporting a failure at the line of the field at fault."""
        field_names = field_names or {}
        try:
            obj.full_clean(validate_unique=False)
        except ValidationError as error:
            model_field, messages = next(iter(error.message_dict.items()))
            yaml_field = field_names.get(model_field, model_field)
            raise self.error(record, yaml_field, " ".join(messages), where) from error
        return obj


def _apply(obj: models.Model, values: dict) -> bool:
    """Set the values on the object; say whether any of them differed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _source_values(record: _Mapping, seed: _SeedFile, where: str) -> dict:
    values = {name: record[name] for name in SOURCE_FIELDS if name in record and name != "text_file"}
    if "text_file" in record:
        text_path = seed.path.parent / record["text_file"]
        try:
            values["text"] = text_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise seed.error(record, "text_file", f"cannot read {text_path}: {error}", where) from error
    return values


class _Loader:
    def __init__(self, path: Path):
        self.seed = _SeedFile(path)
        self.report = SeedReport()

    def save(self, obj: models.Model, values: dict, record: _Mapping, where: str, label: str, **names) -> models.Model:
        adding = obj.pk is None
        changed = _apply(obj, values)
        if adding or changed:
            self.seed.validated(obj, record, where, names)
            obj.save()
        (self.report.created if adding else self.report.updated if changed else self.report.unchanged)[label] += 1
        return obj

    def source(self, record: _Mapping, where: str) -> Source:
        values = _source_values(record, self.seed, where)
        recorded = partial(
            Source.objects.recorded,
            url=values.get("url", ""),
            title=values["title"],
            publisher=values.get("publisher", ""),
        )
        return again_if_raced(lambda: self.save(recorded() or Source(), values, record, where, "source"))

    def load(self) -> SeedReport:
        data = self.seed.read()
        source = self.source(self.seed.checked(data["source"], SOURCE_FIELDS, "source."), "source.")
        appearances = {}
        for index, record in enumerate(data.get("first_appearances") or []):
            where = f"first_appearances[{index}]."
            record = self.seed.checked(record, FIRST_APPEARANCE_FIELDS, where)
            self.refuse_duplicate(record, "key", appearances, where)
            appearances[record["key"]] = self.source(record, where)
        topics = {
            slug: again_if_raced(partial(self.topic, slug, name, data["topics"]))
            for slug, name in data["topics"].items()
        }
        speakers = {}
        for index, record in enumerate(data["speakers"]):
            where = f"speakers[{index}]."
            record = self.seed.checked(record, SPEAKER_FIELDS, where)
            self.refuse_duplicate(record, "slug", speakers, where)
            if record["slug"] != (slug := Speaker.slug_for(record["name"])):
                raise self.seed.error(
                    record, "slug", f"expected {slug!r}, the slug of the name, on which intake matches speakers", where
                )
            speakers[record["slug"]] = again_if_raced(partial(self.speaker, record, where))
        texts = {}
        for index, record in enumerate(data["claims"]):
            where = f"claims[{index}]."
            record = self.seed.checked(record, CLAIM_FIELDS, where)
            self.refuse_duplicate(record, "text", texts, where)
            texts[record["text"]] = again_if_raced(
                partial(self.claim, record, where, source, speakers, topics, appearances)
            )
        return self.report

    def topic(self, slug: str, name, records: _Mapping) -> Topic:
        topic = Topic.objects.filter(slug=slug).first() or Topic(slug=slug)
        return self.save(topic, {"name": str(name)}, records, "topics.", "topic", name=slug, slug=slug)

    def speaker(self, record: _Mapping, where: str) -> Speaker:
        speaker = Speaker.objects.filter(slug=record["slug"]).first() or Speaker()
        return self.save(speaker, dict(record), record, where, "speaker")

    def refuse_duplicate(self, record: _Mapping, key: str, seen: dict, where: str) -> None:
        if record[key] in seen:
            raise self.seed.error(record, key, f"{record[key]!r} appears twice in the file", where)

    def claim(self, record, where, source, speakers, topics, appearances) -> Claim:
        resolved = {}
        for name, known in (("speaker", speakers), ("first_appearance", appearances)):
            key = record.get(name)
            if key is not None and key not in known:
                raise self.seed.error(record, name, f"unknown {name} {key!r}; known: {', '.join(known)}", where)
            resolved[f"{name}_id"] = known[key].pk if key is not None else None
        unknown_topics = [slug for slug in record["topics"] if slug not in topics]
        if unknown_topics:
            raise self.seed.error(
                record, "topics", f"unknown topics {unknown_topics}; known: {', '.join(topics)}", where
            )
        values = {
            "text": record["text"],
            "is_verbatim": record["is_verbatim"],
            "context": record["context"],
            "claim_date": record["claim_date"],
            "claim_date_precision": record.get("claim_date_precision", Claim.DatePrecision.DAY),
            "notes": f"Date: {record['date_basis']}",
            **resolved,
        }
        claim = Claim.objects.recorded(source=source, text=record["text"]) or Claim(source=source)
        adding = claim.pk is None
        self.save(claim, values, record, where, "claim", notes="date_basis")
        wanted = {topics[slug].pk for slug in record["topics"]}
        if adding or set(claim.topics.values_list("pk", flat=True)) != wanted:
            claim.topics.set(wanted)
            if not adding:
                self.report.updated["claim topics"] += 1
        return claim


@transaction.atomic
def load_seed(path: Path) -> SeedReport:
    """Load one seed file; on any error nothing of it is written and ``SeedError`` says where."""
    return _Loader(path).load()
