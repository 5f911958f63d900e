"""Propose the checkable statements in a news article: who said what, when, and how check-worthy it is.

Pure, offline and deterministic: the standard library only, no model, so the same article always gives
the same candidates and an editor can see why each was proposed. The steps, one module each:

1. ``sentences``: paragraphs, sentences and their direct quotes.
2. ``attribution`` and ``speakers``: who each sentence says is speaking and what they said; everything
   else is in the publisher's own voice. A paragraph that only quotes continues the speaker of the
   paragraph before it. A phrase that names no one plausibly gives no speaker: the sentence's quotes
   are then not proposed, rather than proposed under a wrong name.
3. ``dates``: a claim is dated when it was said. The publisher says its own statements on the day it
   publishes. An attributed statement takes the date its attribution gives ("told reporters on Friday",
   "in a statement published Oct. 25"), never a date inside what was said; else the date of the same
   speaker's statement the article dated before, when this one continues it ("he added"); else, in the
   present tense ("says"), the day of publication; else none.
4. ``scoring``: transparent weights; candidates below ``THRESHOLD`` are not proposed.
"""

import datetime
import re
from dataclasses import dataclass, field

from claims.intake.extraction.attribution import Attribution, find_attribution
from claims.intake.extraction.dates import DAY, MONTH, YEAR, FoundDate, find_date
from claims.intake.extraction.lexicon import CALLED, CHARACTERISING_VERBS, PRESENT_TENSE
from claims.intake.extraction.scoring import THRESHOLD, score_features
from claims.intake.extraction.sentences import (
    QUOTE_CHARS,
    QUOTE_MARK,
    is_statement,
    outside_quotes,
    paragraphs_of,
    quotes_in,
    split_sentences,
    without_dateline,
)
from claims.intake.extraction.speakers import ANONYMOUS, GROUP, ORGANIZATION, PERSON, Cast, Speaker, speaker_of

__all__ = [
    "ANONYMOUS",
    "DAY",
    "GROUP",
    "MONTH",
    "ORGANIZATION",
    "PERSON",
    "THRESHOLD",
    "YEAR",
    "Candidate",
    "extract",
    "find_date",
    "headline",
    "score_features",
    "split_sentences",
]

MIN_STATEMENT_WORDS = 4
CREDIT_LINE = re.compile(r"^[A-Z][\w .'-]*/([A-Z][\w&.-]*)(?:/[\w .&-]+)*$")


@dataclass(frozen=True)
class Candidate:
    """One proposed claim; ``features`` are the reasons for its ``score``, with their weights."""

    text: str
    context: str
    speaker: str
    speaker_kind: str
    is_verbatim: bool
    claim_date: datetime.date | None
    claim_date_precision: str
    date_basis: str
    score: float
    features: tuple[tuple[str, float], ...]
    position: int  # the sentence's index in the article


@dataclass
class _Reading:
    """What the reader remembers while going through the article."""

    published_on: datetime.date | None
    publisher: str
    cast: Cast = field(default_factory=Cast)
    speaker_dates: dict[str, FoundDate] = field(default_factory=dict)
    previous: tuple[Speaker, FoundDate | None] | None = None  # the last paragraph's speaker, for quotes it continues
    event: FoundDate | None = None  # the date of the last event told in the publisher's own voice
    reaction: FoundDate | None = None  # the date of the event this paragraph's reactions comment on
    story_day: FoundDate | None = None  # the day a same-day story reports (its first sentence says so)
    sentences_read: int = 0

    @property
    def publication(self) -> FoundDate | None:
        return FoundDate(self.published_on, DAY, "publication date") if self.published_on else None


def extract(
    text: str, *, published_on: datetime.date | None = None, publisher: str = "", threshold: float = THRESHOLD
) -> list[Candidate]:
    """The candidate claims of an article, best first; ``publisher`` speaks the article's own voice."""
    reading, candidates, position = _Reading(published_on, publisher), [], 0
    for paragraph in paragraphs_of(text):
        reading.reaction = None
        for number, sentence in enumerate(paragraph):
            following = paragraph[number + 1] if number + 1 < len(paragraph) else ""
            candidates.extend(_candidates_of(sentence, following, position, reading, opens=number == 0))
            position += 1
    proposed = [candidate for candidate in candidates if candidate.score >= threshold]
    return sorted(proposed, key=lambda candidate: (-candidate.score, candidate.position))


def headline(text: str) -> str:
    """The article's first line when it reads as a headline (it has no closing punctuation), else ""."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return "" if is_statement(first) else first


def _candidates_of(sentence: str, following: str, position: int, reading: _Reading, *, opens: bool) -> list[Candidate]:
    if not is_statement(sentence):
        return []
    sentence = without_dateline(sentence)
    plain = outside_quotes(sentence)
    reading.cast.begin_sentence()
    reading.cast.meet(plain)
    _date_people_named_after_an_offset(plain, reading)
    if reading.sentences_read == 0:
        reading.story_day = _same_day(plain, reading)
    reading.sentences_read += 1
    attribution = _attribution(sentence, plain, following, reading, opens=opens)
    reading.cast.mentioned(plain)
    event = reading.event
    if attribution is None:
        if quotes_in(sentence) and sentence.lstrip().startswith(tuple(QUOTE_CHARS)):
            return []  # someone's words, and no one to give them to
        reading.previous = None
        reading.event = find_date(plain, reading.published_on)
        publisher = Speaker(reading.publisher, ORGANIZATION)
        return [_candidate(sentence, sentence, publisher, False, reading.publication, position, reading.published_on)]
    speaker = attribution.speaker
    date = _claim_date(attribution, plain, reading, event)
    if date:
        reading.speaker_dates[speaker.name] = date  # what the same speaker says next was said then too
    said = find_date(attribution.attribution_text, reading.published_on) if attribution.attribution_text else None
    reading.event = said or reading.event
    reading.cast.spoke(speaker)
    reading.previous = (speaker, date)
    if attribution.verb in CALLED:
        return [
            _candidate(
                attribution.statement, sentence, speaker, False, date, position, reading.published_on, attributed=True
            )
        ]
    quotes = quotes_in(sentence)
    narration = [_told(part, sentence, position, reading) for part in attribution.narration if not quotes]
    if quotes:
        return [
            _candidate(quote, sentence, speaker, True, date, position, reading.published_on, attributed=True)
            for quote in quotes
        ]
    statement = _capitalised(attribution.statement.replace(QUOTE_MARK, "").strip(" ,"))
    if len(statement.split()) < MIN_STATEMENT_WORDS:
        return narration
    return [
        *narration,
        _candidate(statement, sentence, speaker, False, date, position, reading.published_on, attributed=True),
    ]


def _told(part: str, sentence: str, position: int, reading: _Reading) -> Candidate:
    """A part of an attributed sentence that its speaker did not say: "The Pentagon rejected the accusations as
    false, and sources told Polygraph ..." is the Pentagon's; "OrbitBeyond canceled its order, citing ..." is told
    in the publisher's voice."""
    own = find_attribution(part, reading.cast)
    if own and own.verb in CHARACTERISING_VERBS:
        date = _claim_date(own, part, reading, reading.event)
        return _candidate(_capitalised(part), sentence, own.speaker, False, date, position, reading.published_on, True)
    publisher = Speaker(reading.publisher, ORGANIZATION)
    return _candidate(
        _capitalised(part), sentence, publisher, False, reading.publication, position, reading.published_on
    )


def _attribution(sentence, plain, following, reading: _Reading, *, opens: bool) -> Attribution | None:
    agency = _credit_agency(following)
    if agency:
        return Attribution(Speaker(agency, ORGANIZATION), "", sentence, sentence)  # a caption dates its picture
    found = _called(sentence, reading.cast) or find_attribution(plain, reading.cast)
    if found or not sentence.startswith(tuple(QUOTE_CHARS)) or not quotes_in(sentence):
        return found
    # A paragraph that only quotes continues the words of the paragraph before it, as news style has it.
    if opens and reading.previous:
        speaker, date = reading.previous
        if date:
            reading.speaker_dates[speaker.name] = date
        return Attribution(speaker, "", "", "")
    if not opens and reading.previous:
        return Attribution(reading.previous[0], "", "", "")
    return None


def _claim_date(attribution: Attribution, plain: str, reading: _Reading, event: FoundDate | None) -> FoundDate | None:
    name = attribution.speaker.name
    said = find_date(attribution.attribution_text, reading.published_on) if attribution.attribution_text else None
    if said and said.precision != YEAR:
        reading.speaker_dates[name] = said
        return said
    if attribution.verb in PRESENT_TENSE:
        return reading.publication
    if name in reading.speaker_dates:
        return reading.speaker_dates[name]
    if event and event.precision != YEAR and REFERS_BACK.search(plain):
        # A reaction names the event it comments on: "The U.S. protested in March when ... The State Department
        # called the move ...". The paragraph's next reactions comment on it too.
        reading.reaction = FoundDate(
            event.date, event.precision, f"{event.phrase} (the {REFERS_BACK.search(plain).group(1)})"
        )
        return reading.reaction
    if reading.reaction:
        return reading.reaction
    if reading.story_day and attribution.verb:
        return reading.story_day
    return None


# "the move", "at the time": a sentence that points back to an event told before it.
REFERS_BACK = re.compile(
    r"\b(?:the|that|this) (move|decision|announcement|deployment|attack|landing|vote|ruling|release|arrest|deal|"
    r"swap|strike|incident|shooting|crash|verdict|order|exchange|time|step|action|incursion|raid)\b"
)


def _same_day(plain: str, reading: _Reading) -> FoundDate | None:
    """The day a story's first sentence reports, when it is the day of publication or the day before."""
    found = find_date(plain, reading.published_on)
    if not found or found.precision != DAY or not reading.published_on:
        return None
    if (reading.published_on - found.date).days > 1:
        return None
    return FoundDate(found.date, DAY, f"{found.phrase} (the day the story reports)")


OFFSET = re.compile(r"\b(a|an|one|two|three|four|five|six|seven|\d+) (days?|weeks?) (after|before)\b(.*)$", re.I)
OFFSET_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _date_people_named_after_an_offset(plain: str, reading: _Reading) -> None:
    """ "On Friday, one day after Mike Pompeo spoke": the person named after the offset acted a day earlier."""
    match = OFFSET.search(plain)
    found = find_date(plain, reading.published_on) if match else None
    if not match or not found or found.precision != DAY:
        return
    count = int(OFFSET_NUMBERS.get(match.group(1).lower(), match.group(1)))
    days = count * (7 if match.group(2).lower().startswith("week") else 1)
    date = found.date + datetime.timedelta(days=-days if match.group(3).lower() == "after" else days)
    named = [(match.group(4).find(p.name), p) for p in reading.cast.people if p.name in match.group(4)]
    person = min(named, key=lambda item: item[0])[1] if named else None
    if person and (reading.published_on is None or date <= reading.published_on):
        offset = " ".join(match.group(1, 2, 3))
        reading.speaker_dates[person.name] = FoundDate(date, DAY, f'"{offset}" {found.phrase}')


def _called(sentence: str, cast: Cast) -> Attribution | None:
    """ "X called Y a Z" states that Y is a Z; the quoted Z is part of the statement it makes."""
    match = re.search(r"^(.*?)\b(called|calls)\s+(?!on\b|for\b|off\b|it\b)(.+?)\s+((?:a|an|the)\s.*)$", sentence)
    if not match:
        return None
    subject = re.split(r"[,;:]\s*", match.group(1).strip())[-1]
    speaker = speaker_of(subject, cast) if subject else None
    if not speaker:
        return None
    copula = "was" if match.group(2) == "called" else "is"
    statement = _capitalised(f"{match.group(3)} {copula} {match.group(4)}")
    return Attribution(speaker, match.group(2), statement, match.group(1))


def _credit_agency(sentence: str) -> str | None:
    """The agency of a photo credit line ("FEDERICO PARRA/AFP/Getty" gives "AFP")."""
    match = CREDIT_LINE.match(sentence.strip())
    return match.group(1) if match else None


def _candidate(text, context, speaker: Speaker, is_verbatim, date, position, published_on, attributed=False):
    score, features = score_features(text, attributed=attributed, dated=_mentions_a_date(context, published_on))
    return Candidate(
        text=text,
        context=context,
        speaker=speaker.name,
        speaker_kind=speaker.kind,
        is_verbatim=is_verbatim,
        claim_date=date.date if date else None,
        claim_date_precision=date.precision if date else DAY,
        date_basis=date.phrase if date else "",
        score=score,
        features=features,
        position=position,
    )


def _mentions_a_date(sentence: str, published_on: datetime.date | None) -> bool:
    """Whether the sentence dates something that has happened: a year to come dates a forecast, not a fact."""
    if find_date(outside_quotes(sentence), published_on) is not None:
        return True
    years = [int(year) for year in re.findall(r"\b((?:19|20)\d{2})\b", sentence)]
    return any(published_on is None or year <= published_on.year for year in years)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
