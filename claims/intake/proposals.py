"""Store the claims an editor keeps from ``claims.intake.extraction``'s candidates, as ``new`` claims in the queue.

``extracted_claims_save`` is the one place that writes them, for the ``extract_claims`` command and the
admin's "Propose claims" action alike. It is idempotent: sources, speakers and claims are matched as every
intake path matches them (``Source.key_for``, ``Speaker.slug_for``, ``Claim.key``); running it twice creates
nothing new.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from claims.intake.extraction import Candidate
from claims.models import Claim, Source, Speaker

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
    report = SaveReport(source=_saved_source(source))
    speakers: dict[str, Speaker] = {}
    for candidate in candidates:
        claim = Claim.objects.recorded(source=report.source, text=candidate.text)
        if claim:
            report.existing.append(claim)
            continue
        claim = _claim(candidate, report.source, _speaker(candidate, speakers), user)
        claim.full_clean(validate_unique=False)
        claim.save()
        report.created.append(claim)
    return report


def _saved_source(source: Source) -> Source:
    if source.pk:
        return source
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


def _speaker(candidate: Candidate, known: dict[str, Speaker]) -> Speaker:
    slug = Speaker.slug_for(candidate.speaker)
    if slug not in known:
        speaker = Speaker.objects.filter(slug=slug).first()
        if speaker is None:
            speaker = Speaker(name=candidate.speaker, slug=slug, kind=candidate.speaker_kind)
            speaker.full_clean()
            speaker.save()
        known[slug] = speaker
    return known[slug]


def _claim(candidate: Candidate, source: Source, speaker: Speaker, user: AbstractBaseUser | None) -> Claim:
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
