"""Quality of claim extraction on the seed article, against the claims curated from it by hand.

    python -m bench.extraction

No database: it reads the seed's YAML and article text directly and runs ``claims.intake.extraction.extract``
with the seed source's publisher and publication date, at the extractor's own score threshold.

Matching rule. A candidate matches a curated claim when, after ``quote_key`` normalisation (typographic
quotes, dashes, spacing and case, as for verbatim quotes):
- the curated text occurs in the candidate's text, or the candidate's text occurs in the curated text
  (a quote cut shorter or longer than the curator cut it); or
- the curated claim is a paraphrase (``is_verbatim: false``) and the candidate comes from the sentence
  the curator quotes as its context (the candidate's context occurs in the curated context).
Each curated claim is judged on its best match: a text match before a context match, then the higher
score.

Figures:
- recall: curated claims matched by at least one candidate;
- precision: candidates matching at least one curated claim; every other candidate is a false positive;
- speaker accuracy, of matched claims: the candidate's speaker is the curated one, that is one's slug
  equals the other's or ends it ("state-department" names "us-state-department", "pompeo" names
  "mike-pompeo");
- date accuracy, of matched claims that have a curated date: the same date and precision.
"""

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.common import ROOT, print_table
from claims.intake.extraction import Candidate, extract
from claims.text import ascii_slug, quote_key

SEED = ROOT / "seeds" / "newsweek-2019-07-05-pompeo-venezuela.yaml"
TARGETS = {"recall": 0.9, "precision": 0.6, "speaker accuracy": 0.9}


@dataclass(frozen=True)
class Curated:
    text: str
    context: str
    is_verbatim: bool
    speaker_slug: str
    claim_date: object
    precision: str


@dataclass(frozen=True)
class Quality:
    recall: float
    precision: float
    speaker_accuracy: float
    date_accuracy: float
    misses: list[Curated]
    wrong_speakers: list[tuple[Curated, Candidate]]
    wrong_dates: list[tuple[Curated, Candidate]]
    false_positives: list[Candidate]

    def figures(self) -> dict[str, float]:
        return {
            "recall": self.recall,
            "precision": self.precision,
            "speaker accuracy": self.speaker_accuracy,
            "date accuracy": self.date_accuracy,
        }


def read_seed(path: Path = SEED) -> tuple[dict, str, list[Curated]]:
    """The seed's source record, its article text and its curated claims."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = (path.parent / data["source"]["text_file"]).read_text(encoding="utf-8")
    claims = [
        Curated(
            text=record["text"],
            context=record["context"],
            is_verbatim=record["is_verbatim"],
            speaker_slug=record["speaker"],
            claim_date=record.get("claim_date"),
            precision=record.get("claim_date_precision", "day"),
        )
        for record in data["claims"]
    ]
    return data["source"], text, claims


def text_match(curated: Curated, candidate: Candidate) -> bool:
    wanted, found = quote_key(curated.text), quote_key(candidate.text)
    return wanted in found or found in wanted


def context_match(curated: Curated, candidate: Candidate) -> bool:
    return not curated.is_verbatim and quote_key(candidate.context) in quote_key(curated.context)


def best_match(curated: Curated, candidates: list[Candidate]) -> Candidate | None:
    ranked = [(2, c.score, c) for c in candidates if text_match(curated, c)]
    ranked += [(1, c.score, c) for c in candidates if context_match(curated, c)]
    return max(ranked, key=lambda item: item[:2])[2] if ranked else None


def same_speaker(candidate: Candidate, curated: Curated) -> bool:
    found, wanted = ascii_slug(candidate.speaker, max_length=200), curated.speaker_slug
    shorter, longer = sorted((found, wanted), key=len)
    return bool(shorter) and (longer == shorter or longer.endswith(f"-{shorter}"))


def measure(candidates: list[Candidate], curated: list[Curated]) -> Quality:
    """Recall, precision, speaker and date accuracy of ``candidates`` against ``curated``."""
    matches = {claim: best_match(claim, candidates) for claim in curated}
    matched = {claim: candidate for claim, candidate in matches.items() if candidate}
    dated = {claim: candidate for claim, candidate in matched.items() if claim.claim_date}
    wrong_speakers = [(claim, c) for claim, c in matched.items() if not same_speaker(c, claim)]
    wrong_dates = [
        (claim, c)
        for claim, c in dated.items()
        if (c.claim_date, c.claim_date_precision) != (claim.claim_date, claim.precision)
    ]
    false_positives = [
        c for c in candidates if not any(text_match(claim, c) or context_match(claim, c) for claim in curated)
    ]
    return Quality(
        recall=len(matched) / len(curated),
        precision=1 - len(false_positives) / len(candidates) if candidates else 0.0,
        speaker_accuracy=1 - len(wrong_speakers) / len(matched) if matched else 0.0,
        date_accuracy=1 - len(wrong_dates) / len(dated) if dated else 0.0,
        misses=[claim for claim, candidate in matches.items() if candidate is None],
        wrong_speakers=wrong_speakers,
        wrong_dates=wrong_dates,
        false_positives=false_positives,
    )


def seed_quality() -> tuple[Quality, list[Candidate], list[Curated]]:
    source, text, curated = read_seed()
    candidates = extract(text, published_on=source["published_on"], publisher=source["publisher"])
    return measure(candidates, curated), candidates, curated


def short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def describe_date(candidate: Candidate) -> str:
    return f"{candidate.claim_date} ({candidate.claim_date_precision})"


def report(quality: Quality, candidates: list[Candidate], curated: list[Curated]) -> bool:
    rows = []
    for name, value in quality.figures().items():
        target = TARGETS.get(name)
        verdict = "" if target is None else f"target >= {target:.2f}  {'ok' if value >= target else 'MISSED'}"
        rows.append((name, f"{value:.2f}  {verdict}".rstrip()))
    print_table(f"Extraction on the seed article: {len(candidates)} candidates, {len(curated)} curated claims", rows)
    sections = [
        ("Missed curated claims", [short(claim.text) for claim in quality.misses]),
        (
            "Wrong speakers",
            [f"{short(c.text, 60)}: {c.speaker!r}, curated {k.speaker_slug}" for k, c in quality.wrong_speakers],
        ),
        (
            "Wrong dates",
            [
                f"{short(c.text, 60)}: {describe_date(c)}, curated {k.claim_date} ({k.precision})"
                for k, c in quality.wrong_dates
            ],
        ),
        ("False positives", [f"{c.score:.2f} {short(c.text)}" for c in quality.false_positives]),
    ]
    for title, lines in sections:
        print(f"\n{title}: {len(lines) or 'none'}")
        for line in lines:
            print(f"  - {line}")
    return all(quality.figures()[name] >= target for name, target in TARGETS.items())


def main() -> None:
    if not report(*seed_quality()):
        sys.exit(1)


if __name__ == "__main__":
    main()
