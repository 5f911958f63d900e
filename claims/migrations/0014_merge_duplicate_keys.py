"""Merge the sources and claims recorded twice under one key, before 0015 makes the keys unique.

Intake matches a source without a URL on its title and publisher (``Source.key_for``) and a claim on
its source and text (``Claim.key``), but nothing stopped two writers from recording the same one at
once: six imports of the same claims, started together, left six copies of each.

Sources: the oldest of each title and publisher (without a URL) stays; the claims that name the others
(as their source or first appearance) name it instead, and the others go. What a fact-check showed of
its source is kept in its ``Verdict.shown`` and does not change.

Claims, then (merged sources make more of them alike): one claim of each source and text stays, with
every verdict, piece of evidence, topic and public change of the others, their internal notes, and
its current fact-check as ``VerdictQuerySet.current_first`` has it; the others go (their history rows
stay). The one that stays is the one the newsroom has worked on (a fact-check of its own, a status in
the workflow, an address of its own), else the oldest; it is published if any of them was. The
others, then, hold only other fact-checkers' verdicts, or none, so no fact-check of ours moves: a
link the kept claim already has as evidence is not added twice (nothing cites the other copy).

Refused, with nothing changed, where an editor must decide: two claims of one group that both carry
the newsroom's work, or the one that does unpublished while a copy is published (merging would take
that copy off the public record). The error lists them; make their texts differ or merge them by
hand (docs/architecture.md, "Keys"), and migrate again.
"""

from django.db import migrations
from django.db.models import Count, F
from django.utils import timezone

IN_THE_WORKFLOW = ("checkworthy", "rejected", "assigned", "in_review")


class DuplicatesNeedAnEditor(Exception):
    """Claims recorded twice that this migration will not merge by itself."""


def merge_duplicates(apps, schema_editor):
    merge_sources(apps)
    Claim = apps.get_model("claims", "Claim")
    Verdict = apps.get_model("claims", "Verdict")
    merges, refused = [], []
    for claims in duplicate_claims(Claim):
        ours = set(Verdict.objects.filter(claim__in=claims, publisher_name="").values_list("claim_id", flat=True))
        worked_on = [claim for claim in claims if claim.pk in ours or claim.status in IN_THE_WORKFLOW or claim.slug]
        published = any(claim.status == "published" for claim in claims)
        if len(worked_on) > 1 or (worked_on and published and worked_on[0].status != "published"):
            refused.append(describe(claims, ours))
            continue
        kept = worked_on[0] if worked_on else claims[0]
        merges.append((kept, [claim for claim in claims if claim.pk != kept.pk], published))
    if refused:
        raise DuplicatesNeedAnEditor(
            "These claims are recorded more than once with the same source and text, and migration 0014 "
            "cannot merge them by itself (nothing was changed):\n"
            + "\n".join(refused)
            + "\nIn each group more than one copy carries the newsroom's work (its own fact-check, a status in "
            "the workflow, an address), or the one that does is unpublished while a copy is published. Keep one: "
            "make the others' texts differ, or move their verdicts and evidence to it by hand; then migrate again."
        )
    for kept, others, published in merges:
        merge_claims(apps, kept, others, published)


def merge_sources(apps) -> None:
    Source = apps.get_model("claims", "Source")
    Claim = apps.get_model("claims", "Claim")
    alike = Source.objects.filter(url="").values("title", "publisher").annotate(copies=Count("pk"))
    for key in alike.filter(copies__gt=1).order_by():
        copies = Source.objects.filter(url="", title=key["title"], publisher=key["publisher"])
        kept, *others = copies.order_by("created_at", "pk").values_list("pk", flat=True)
        Claim.objects.filter(source_id__in=others).update(source_id=kept)
        Claim.objects.filter(first_appearance_id__in=others).update(first_appearance_id=kept)
        Source.objects.filter(pk__in=others).delete()


def duplicate_claims(Claim):
    """Each group of claims with one source and text, oldest first."""
    alike = Claim.objects.values("source_id", "text").annotate(copies=Count("pk")).filter(copies__gt=1)
    for key in alike.order_by("source_id"):
        copies = Claim.objects.filter(source_id=key["source_id"], text=key["text"])
        yield list(copies.order_by("created_at", "pk"))


def describe(claims, ours: set[int]) -> str:
    def one(claim):
        work = [claim.status]
        if claim.pk in ours:
            work.append("a fact-check of ours")
        if claim.slug:
            work.append(f"/factchecks/{claim.slug}/")
        return f"claim {claim.pk} ({', '.join(work)})"

    text = claims[0].text if len(claims[0].text) <= 60 else claims[0].text[:59] + "…"
    return f"- source {claims[0].source_id}, {text!r}: " + ", ".join(one(claim) for claim in claims)


def merge_claims(apps, kept, others, published: bool) -> None:
    Claim = apps.get_model("claims", "Claim")
    Verdict = apps.get_model("claims", "Verdict")
    Evidence = apps.get_model("claims", "Evidence")
    FactCheckEvent = apps.get_model("claims", "FactCheckEvent")
    Citation = Verdict.evidence.through
    ClaimTopic = Claim.topics.through
    gone = [claim.pk for claim in others]

    Verdict.objects.filter(claim_id__in=gone).update(claim_id=kept.pk)
    FactCheckEvent.objects.filter(claim_id__in=gone).update(claim_id=kept.pk)
    # The kept claim's drafts cite its evidence, as the workflow keeps them; evidence added to it joins them.
    drafts = list(Verdict.objects.filter(claim_id=kept.pk, status="draft").values_list("pk", flat=True))
    links = set(Evidence.objects.filter(claim_id=kept.pk).exclude(url="").values_list("url", flat=True))
    for evidence in Evidence.objects.filter(claim_id__in=gone).order_by("created_at", "pk"):
        if evidence.url and evidence.url in links:
            evidence.delete()  # the same link, already the kept claim's; no fact-check cites this copy
            continue
        links.add(evidence.url)
        Evidence.objects.filter(pk=evidence.pk).update(claim_id=kept.pk)
        Citation.objects.bulk_create([Citation(verdict_id=draft, evidence_id=evidence.pk) for draft in drafts])
    topics = set(ClaimTopic.objects.filter(claim_id__in=gone).values_list("topic_id", flat=True))
    topics -= set(ClaimTopic.objects.filter(claim_id=kept.pk).values_list("topic_id", flat=True))
    ClaimTopic.objects.bulk_create([ClaimTopic(claim_id=kept.pk, topic_id=topic) for topic in sorted(topics)])

    notes = [kept.notes] + [claim.notes for claim in others if claim.notes and claim.notes not in kept.notes]
    current = (
        Verdict.objects.filter(claim_id=kept.pk, status="published")
        .order_by(F("published_at").desc(nulls_last=True), "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    changes = {"notes": "\n\n".join(note for note in notes if note), "current_verdict_id": current}
    if published and kept.status != "published":
        changes["status"] = "published"
    if current != kept.current_verdict_id or "status" in changes:
        changes["public_updated_at"] = timezone.now()
    Claim.objects.filter(pk__in=gone).update(current_verdict=None)
    ClaimTopic.objects.filter(claim_id__in=gone).delete()
    Claim.objects.filter(pk__in=gone).delete()
    Claim.objects.filter(pk=kept.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0013_history_reasons_in_full"),
    ]

    operations = [
        migrations.RunPython(merge_duplicates, migrations.RunPython.noop),
    ]
