"""Store the claims an editor keeps from ``claims.intake.extraction``'s candidates, as ``new`` claims in the queue.

``extracted_claims_save`` is the one place that writes them, for the ``extract_claims`` command and the
admin's "Propose claims" action alike. It is idempotent: sources, speakers and claims are matched as every
intake path matches them (``Source.key_for``, ``Speaker.slug_for`` of a name or an alias, ``Claim.key``);
running it twice creates nothing new, and neither does running it twice at once (``again_if_raced``). It
writes the source, then the speakers, then the claims, the order every intake path writes in.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from claims.intake.extraction import Candidate
from claims.models import Claim, Source, Speaker, again_if_raced

# Filled in on a source that is already recorded when it lacks them; what it has is never overwritten.
FILLABLE_SOURCE_FIELDS = ("publisher", "published_on", "text")


@dataclass
class SaveReport:
    source: Source
    created: list[Claim] = field(default_factory=list)
    existing: list[Claim] = field(default_factory=list)


@transaction.atomic
def extracted_claims_save(
    *, source: Source, candidates: Iterable[Candidate], user: AbstractBaseUser | None = None
) -> SaveReport:
    """Save ``source`` (or fill in the recorded one it matches) and each candidate as a ``new`` claim.

    Raises ``ValidationError`` (nothing written) when a record breaks a model rule, such as a verbatim
    quote that does not occur in the source's text.
    """
    candidates = list(candidates)
    report = SaveReport(source=source if source.pk else again_if_raced(partial(_saved_source, source)))
    recorded = Claim.objects.by_key((report.source.pk, candidate.text) for candidate in candidates)
    speakers: dict[str, Speaker] = {}
    for candidate in candidates:
        slug = Speaker.slug_for(candidate.speaker)
        if (report.source.pk, candidate.text) not in recorded and slug not in speakers:
            speakers[slug] = again_if_raced(partial(_speaker, slug, candidate))
    for candidate in candidates:
        claim, created = again_if_raced(partial(_claim, candidate, report.source, speakers, user))
        (report.created if created else report.existing).append(claim)
    return report


def _saved_source(source: Source) -> Source:
    recorded = Source.objects.recorded(url=source.url, title=source.title, publisher=source.publisher)
    if recorded:
        blanks = [name for name in FILLABLE_SOURCE_FIELDS if not getattr(recorded, name) and getattr(source, name)]
        if not blanks:
            return recorded
        for name in blanks:
            setattr(recorded, name, getattr(source, name))
        source = recorded
    source.full_clean()
    source.save()
    return source


def _speaker(slug: str, candidate: Candidate) -> Speaker:
    speaker = Speaker.objects.by_slug([slug]).get(slug)
    if speaker is None:
        speaker = Speaker(name=candidate.speaker, slug=slug, kind=candidate.speaker_kind)
        speaker.full_clean()
        speaker.save()
    return speaker


def _claim(
    candidate: Candidate, source: Source, speakers: dict[str, Speaker], user: AbstractBaseUser | None
) -> tuple[Claim, bool]:
    """The claim recorded with the candidate's text in ``source``, else a new one; and whether it is new."""
    claim = Claim.objects.recorded(source=source, text=candidate.text)
    if claim:
        return claim, False
    slug = Speaker.slug_for(candidate.speaker)
    claim = _new_claim(candidate, source, speakers.get(slug) or _speaker(slug, candidate), user)
    claim.full_clean(validate_unique=False)
    claim.save()
    return claim, True


def _new_claim(candidate: Candidate, source: Source, speaker: Speaker, user: AbstractBaseUser | None) -> Claim:
    reasons = ", ".join(f"{name} {weight:+.2f}" for name, weight in candidate.features)
    notes = f"Proposed by extraction, check-worthiness {candidate.score:.2f} ({reasons})."
    if candidate.date_basis:
        notes += f" Date: {candidate.date_basis}."
    return Claim(
        source=source,
        speaker=speaker,
        text=candidate.text,
        is_verbatim=candidate.is_verbatim,
        context=candidate.context,
        claim_date=candidate.claim_date,
        claim_date_precision=candidate.claim_date_precision,
        checkworthiness=candidate.score,
        notes=notes,
        created_by=user if user and user.is_authenticated else None,
    )
