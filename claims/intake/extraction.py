"""Propose the checkable statements in a news article: who said what, when, and how check-worthy it is.

Pure, offline and deterministic: the standard library only, no model, so the same article always gives
the same candidates and an editor can see why each was proposed. The steps:

1. ``split_sentences``: paragraphs are lines; abbreviations ("U.S.", "Mr.", "Jan.") and initials
   ("J. R. R.") do not end a sentence, nor does a full stop inside an open quotation, so a quote of
   several sentences stays with its attribution.
2. Attribution: direct quotes of four words or more and reported speech ("X said", "said X",
   "X told Reuters that", "according to X", "X called Y a Z", "he continued") name a speaker;
   pronouns are resolved to the last named speaker; a photo caption followed by a credit line
   ("NAME/AFP/Getty") belongs to the agency; everything else is in the publisher's own voice.
3. Dating: a claim is dated when it was said. The publisher says its own statements on the day it
   publishes; an attributed statement takes the date its sentence gives ("on Friday", "in March",
   "on December 10, 2018"; "one day after X spoke" dates X), else the speaker's last known date, else
   the last date the article mentioned (an attribution usually follows the event it comments on),
   else publication day. A date is never after publication; a date inside a quote is what was said.
4. Scoring: ``score_features`` adds transparent weights (numbers, dates, named entities, factual
   verbs, attribution; against opinion, prediction, intent, questions) to a base; sentences below
   ``THRESHOLD`` are not proposed.
"""

import calendar
import datetime
import re
from dataclasses import dataclass, field

# Values of ``Claim.DatePrecision`` (this module does not import the models, which need a database).
DAY, MONTH, YEAR = "day", "month", "year"
PERSON, ORGANIZATION, ANONYMOUS, GROUP = "person", "organization", "anonymous", "group"

BASE_SCORE = 0.3
THRESHOLD = 0.45
MIN_QUOTE_WORDS = 4  # shorter quotes are scare quotes inside a statement, not statements
MIN_STATEMENT_WORDS = 6

FEATURE_WEIGHTS = {
    "number": 0.15,
    "quantity": 0.05,
    "date": 0.1,
    "named entity": 0.05,  # per entity, at most three
    "factual verb": 0.1,
    "attributed": 0.1,
    "opinion": -0.2,
    "prediction": -0.2,
    "intent": -0.1,
    "question": -0.3,
    "short": -0.2,
}
MAX_ENTITIES = 3


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ABBREVIATIONS = _words(
    "mr mrs ms dr prof sen rep gov gen lt col sgt capt st jr sr inc corp co ltd vs etc no mt ft dept est "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
# After a dotted abbreviation ("U.S.") a new sentence only starts with one of these words.
SENTENCE_OPENERS = _words("The A An He She It They We I But And In On At This That These Those There")
SPEECH_VERBS = _words(
    "said says say told tells claim claims claimed argued argues argue insisted insists stated states added adds "
    "continued continues noted notes warned warns announced announces acknowledged acknowledges asserted asserts "
    "maintained maintains declared declares denied denies admitted admits alleged alleges explained explains "
    "wrote writes tweeted tweets reported reports"
)
PRESENT_TENSE_SPEECH = _words(
    "says say tells claim claims argues argue insists states adds notes warns maintains alleges writes"
)
# A speech verb followed by one of these is something else: "declared himself", "is said to be".
NOT_SPEECH_AFTER = _words("himself herself themselves itself off up out to by of")
CLAUSE_BOUNDARIES = _words("that but and as while when because though although despite after before if since or so yet")
PRONOUNS = {"he": PERSON, "she": PERSON, "they": None}
ROLE_WORDS = _words(
    "President Vice Prime Minister Deputy Foreign Defense Defence Interior Finance Secretary State Senator Sen. "
    "Rep. Representative Governor Gov. Mayor Chief General Gen. Director Chairman Chairwoman Spokesman Spokeswoman "
    "Ambassador Judge Justice Mr. Mrs. Ms. Dr. Prof. Sir King Queen Prince Pope Interim Acting Former Leader "
    "Commissioner Chancellor CEO Officer Adviser Advisor Chair"
)
ORGANIZATION_WORDS = _words(
    "Department Ministry Office Agency Council Commission Committee Government Party Police Army Kremlin House "
    "Congress Senate Parliament Court Bank Fund Organization Organisation Union Association Institute University "
    "Reuters Tass AFP AP Company Inc. Corp. Embassy Service Bureau Administration Campaign Group"
)
GROUP_NOUNS = _words(
    "critics officials analysts experts diplomats residents lawmakers activists witnesses authorities officers "
    "supporters opponents protesters sources observers economists scientists doctors leaders"
)
NAME_PARTICLES = _words("de da di du la le van von der den bin al")
CALLED = _words("called calls")
NOT_PEOPLE = _words("reports documents figures data records statistics polls studies surveys papers emails news")
ANONYMOUS_WORDS = _words("anonymous unnamed unidentified")
PERSON_NOUNS = _words(
    "official spokesman spokeswoman spokesperson source diplomat aide minister auditor mayor governor president "
    "prosecutor chief senator lawmaker"
)
NUMBER_WORDS = _words(
    "one two three four five six seven eight nine ten eleven twelve dozen dozens hundred hundreds thousand thousands "
    "million millions billion billions trillion half third quarter"
)
QUANTITY_PATTERN = re.compile(r"%|\bper ?cent\b|\$|€|£|\b(?:million|billion|trillion|km|kilometers|miles|tons)\b", re.I)
OPINION_PATTERN = re.compile(
    r"\b(?:i|we) (?:think|believe|feel)\b|\b(?:should|ought to|must)\b|\b(?:wonderful|terrible|tremendous|amazing|"
    r"beautiful|awful|disgraceful|shameful|inspire|inspiring|courage|proud|hopefully|unfortunately|not easy)\b",
    re.I,
)
PREDICTION_PATTERN = re.compile(
    r"\b(?:will|won't|would|going to|may|might|could|likely|unlikely|expects?|expected to|appears|seems|"
    r"forecasts?|predicts?)\b",
    re.I,
)
INTENT_PATTERN = re.compile(r"\b(?:plans?|intends?|wants?|aims?|vow(?:s|ed)?|promis(?:es|ed)|hopes?|seeks?) to\b", re.I)
FACTUAL_VERB_PATTERN = re.compile(
    r"\b(?:is|are|was|were|has|have|had|remains?|remained|\w{3,}ed|spent|paid|rose|fell|grew|won|lost|made|sent|"
    r"built|cut|led|took|gave|sold|bought|hit|left|met|began|ran|became|doubled|costs?|carries|employs?)\b",
    re.I,
)
NAME_WORD = r"(?:[A-Z][\w'\u2019.-]*|of|de|la|von|van|al-)"

QUOTE_CHARS = '"“”'
CLOSING_QUOTES = "\"”\u2019'"
CREDIT_LINE = re.compile(r"^[A-Z][\w .'-]*/([A-Z][\w&.-]*)(?:/[\w .&-]+)*$")
SENTENCE_END = re.compile(r"[.!?]+[\"”\u2019')\]]*(?=\s+)")


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


# --- sentences ---------------------------------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, each paragraph (line) on its own."""
    sentences = []
    for paragraph in text.splitlines():
        sentences.extend(_split_paragraph(paragraph.strip()))
    return [sentence for sentence in sentences if sentence]


def _split_paragraph(paragraph: str) -> list[str]:
    sentences, start = [], 0
    for match in SENTENCE_END.finditer(paragraph):
        before, after = paragraph[start : match.end()], paragraph[match.end() :].lstrip()
        if _ends_sentence(before, after):
            sentences.append(before.strip())
            start = match.end()
    sentences.append(paragraph[start:].strip())
    return sentences


def _ends_sentence(before: str, after: str) -> bool:
    if not after or not (after[0].isupper() or after[0].isdigit() or after[0] in QUOTE_CHARS):
        return False
    if _quote_open(before):
        return False
    last_word = before.rstrip(CLOSING_QUOTES + ")]").split()[-1] if before.split() else ""
    stem = last_word.rstrip(".!?")
    if re.fullmatch(r"(?:[A-Za-z]\.)+", last_word):  # an initial ("J.") or a dotted abbreviation ("U.S.")
        return len(stem) > 1 and after.split()[0] in SENTENCE_OPENERS
    return stem.lower() not in ABBREVIATIONS


def _quote_open(text: str) -> bool:
    return (text.count('"') % 2 == 1) or text.count("“") > text.count("”")


# --- dates -------------------------------------------------------------------------------------------------------

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name} | {"sept": 9}
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
MONTH_NAME = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
DATE_PATTERNS = [
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("month day year", re.compile(rf"\b({MONTH_NAME}) (\d{{1,2}})(?:st|nd|rd|th)?(?:, (\d{{4}}))?\b")),
    ("day month year", re.compile(rf"\b(\d{{1,2}}) ({MONTH_NAME})(?: (\d{{4}}))?\b")),
    ("month year", re.compile(rf"\b({MONTH_NAME}) (\d{{4}})\b")),
    # "since January" starts a period; it does not date an event.
    ("in month", re.compile(rf"\b(?:in|of|during|early|late|mid-) ?({MONTH_NAME})(?!\w)(?!,? \d)")),
    ("year", re.compile(r"\b(?:in|during) ((?:19|20)\d{2})\b")),
    ("weekday", re.compile(r"\b(?:on |last |this )?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("relative", re.compile(r"\b(yesterday|today|last week|last month|last year)\b", re.I)),
]


@dataclass(frozen=True)
class FoundDate:
    date: datetime.date
    precision: str
    phrase: str


def find_date(sentence: str, published_on: datetime.date | None) -> FoundDate | None:
    """The first date ``sentence`` gives that is not after ``published_on`` (relative ones need it)."""
    found = []
    for kind, pattern in DATE_PATTERNS:
        for match in pattern.finditer(sentence):
            resolved = _resolve(kind, match.groups(), published_on)
            if resolved and (published_on is None or resolved[0] <= published_on):
                found.append((match.start(), FoundDate(resolved[0], resolved[1], match.group(0).strip())))
    return min(found, key=lambda item: item[0])[1] if found else None


def _resolve(kind: str, groups: tuple, published_on: datetime.date | None) -> tuple[datetime.date, str] | None:
    try:
        return _RESOLVERS[kind](groups, published_on)
    except (ValueError, TypeError, KeyError, AttributeError):  # "February 30", or no publication date to count from
        return None


def _latest_not_after(published_on: datetime.date | None, month: int, day: int = 1) -> datetime.date:
    """The latest ``month``/``day`` on or before publication: "in March" in July is this year's March."""
    candidate = datetime.date(published_on.year, month, day)
    return candidate if candidate <= published_on else datetime.date(published_on.year - 1, month, day)


def _month_day(groups, published_on, month_first=True):
    month_text, day_text, year_text = groups if month_first else (groups[1], groups[0], groups[2])
    month, day = MONTHS[month_text.rstrip(".").lower()], int(day_text)
    if year_text:
        return datetime.date(int(year_text), month, day), DAY
    return _latest_not_after(published_on, month, day), DAY


def _relative(groups, published_on):
    word = groups[0].lower()
    if word == "yesterday":
        return published_on - datetime.timedelta(days=1), DAY
    if word == "today":
        return published_on, DAY
    if word == "last week":
        return published_on - datetime.timedelta(days=7), DAY
    if word == "last month":
        previous = published_on.replace(day=1) - datetime.timedelta(days=1)
        return previous.replace(day=1), MONTH
    return datetime.date(published_on.year - 1, 1, 1), YEAR


def _weekday(groups, published_on):
    back = (published_on.weekday() - WEEKDAYS[groups[0].lower()]) % 7
    return published_on - datetime.timedelta(days=back), DAY


_RESOLVERS = {
    "iso": lambda groups, _: (datetime.date(*map(int, groups)), DAY),
    "month day year": _month_day,
    "day month year": lambda groups, published_on: _month_day(groups, published_on, month_first=False),
    "month year": lambda groups, _: (datetime.date(int(groups[1]), MONTHS[groups[0].rstrip(".").lower()], 1), MONTH),
    "in month": lambda groups, published_on: (
        _latest_not_after(published_on, MONTHS[groups[0].rstrip(".").lower()]),
        MONTH,
    ),
    "year": lambda groups, _: (datetime.date(int(groups[0]), 1, 1), YEAR),
    "weekday": _weekday,
    "relative": _relative,
}


# --- scoring -----------------------------------------------------------------------------------------------------


def score_features(text: str, *, attributed: bool = False, dated: bool = False) -> tuple[float, tuple]:
    """A check-worthiness score in 0..1 and the weighted features that made it."""
    words = re.findall(r"[\w'\u2019.%$-]+", text)
    features = []
    if any(re.search(r"\d", word) for word in words) or any(word.lower() in NUMBER_WORDS for word in words):
        features.append("number")
    if QUANTITY_PATTERN.search(text):
        features.append("quantity")
    if dated:
        features.append("date")
    features.extend(["named entity"] * min(len(named_entities(text)), MAX_ENTITIES))
    if FACTUAL_VERB_PATTERN.search(text):
        features.append("factual verb")
    if attributed:
        features.append("attributed")
    for name, pattern in (("opinion", OPINION_PATTERN), ("prediction", PREDICTION_PATTERN), ("intent", INTENT_PATTERN)):
        if pattern.search(text):
            features.append(name)
    if text.rstrip(CLOSING_QUOTES).endswith("?"):
        features.append("question")
    if len(words) < MIN_STATEMENT_WORDS:
        features.append("short")
    weighted = tuple((name, FEATURE_WEIGHTS[name]) for name in features)
    score = BASE_SCORE + sum(weight for _, weight in weighted)
    return round(min(max(score, 0.0), 1.0), 3), weighted


def named_entities(text: str) -> list[str]:
    """Runs of capitalised words and acronyms; a lone capitalised first word, or "I", is not one."""
    first = len(text) - len(text.lstrip(QUOTE_CHARS + " "))
    entities = []
    for match in re.finditer(r"\b[A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*)*", text):
        run = match.group(0)
        if run == "I" or (match.start() == first and " " not in run):
            continue
        entities.append(run)
    return entities


# --- attribution -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    speaker: str
    kind: str
    verb: str  # the speech verb, or "" for "according to", captions and quote continuations
    statement: str  # what was said, for reported speech; "" when only direct quotes carry it


@dataclass
class _Memory:
    """What the reader remembers while going through the article."""

    speakers: list[tuple[str, str]] = field(default_factory=list)  # (name, kind), latest last
    speaker_dates: dict[str, FoundDate] = field(default_factory=dict)
    last_date: FoundDate | None = None
    full_names: list[str] = field(default_factory=list)

    def last_speaker(self, kind: str | None) -> tuple[str, str] | None:
        return next((s for s in reversed(self.speakers) if kind is None or s[1] == kind), None)


def quotes_in(sentence: str) -> list[str]:
    """Direct quotes of at least ``MIN_QUOTE_WORDS`` words; an unclosed one runs to the sentence's end."""
    spans = re.findall(r"[\"“]([^\"“”]+)(?:[\"”]|$)", sentence)
    return [q.strip().rstrip(",.;:").strip() for q in spans if len(q.split()) >= MIN_QUOTE_WORDS]


def _outside_quotes(sentence: str) -> str:
    """The sentence with its direct quotes replaced by a placeholder, so attributions are not read inside them.

    Scare quotes (shorter than a direct quote) stay: they are part of the statement around them.
    """

    def placeholder(match: re.Match) -> str:
        return ' "Q" ' if len(match.group(0).split()) >= MIN_QUOTE_WORDS else match.group(0)

    return re.sub(r"[\"“][^\"“”]*(?:[\"”]|$)", placeholder, sentence)


def _tokens(text: str) -> list[re.Match]:
    return list(re.finditer(r"\"Q\"|[\w'\u2019.&-]+|[,;:\u2014\u2013]", text))


def find_attribution(sentence: str, memory: _Memory) -> Attribution | None:
    """Who the sentence says is speaking, or None for the publisher's own voice."""
    plain = _outside_quotes(sentence)
    # "X called Y a Z" is read on the sentence itself: the quoted Z is part of the statement it makes.
    found = _called(sentence, memory)
    for finder in (_according_to, _said_after_quote, _subject_verb):
        found = found or finder(plain, memory)
    return found


def _according_to(plain: str, memory: _Memory) -> Attribution | None:
    match = re.search(r"(?:^|,\s*)according to ((?:the |an? )?[^,.;]+?)(?=[,.;]|$)", plain, re.I)
    if not match:
        return None
    speaker = _speaker(match.group(1), memory) or _named_phrase(match.group(1))
    if not speaker:
        return None
    statement = (plain[: match.start()] + plain[match.end() :]).strip(" ,")
    return Attribution(*speaker, verb="", statement=statement)


def _called(sentence: str, memory: _Memory) -> Attribution | None:
    match = re.search(r"^(.*?)\b(called|calls)\s+(?!on\b|for\b|off\b)(.+?)\s+((?:a|an|the)\s.*)$", sentence)
    if not match:
        return None
    speaker = _speaker(_subject(match.group(1)), memory)
    if not speaker:
        return None
    copula = "was" if match.group(2) == "called" else "is"
    return Attribution(*speaker, verb=match.group(2), statement=f"{match.group(3)} {copula} {match.group(4)}")


def _said_after_quote(plain: str, memory: _Memory) -> Attribution | None:
    verbs = "|".join(sorted(SPEECH_VERBS))
    match = re.search(rf'"Q"\s*,?\s*({verbs})\s+([^,.;:"]+)', plain)
    if not match:
        return None
    # "said Democratic leader Sarah Chen in a statement": the speaker ends where the circumstances begin.
    phrase = re.split(r"\s(?:in|on|at|after|during|who|when|while|as|to|from|before|adding|citing)\s", match.group(2))[
        0
    ]
    speaker = _speaker(phrase, memory)
    return Attribution(*speaker, verb=match.group(1), statement="") if speaker else None


def _subject_verb(plain: str, memory: _Memory) -> Attribution | None:
    tokens = _tokens(plain)
    words = [token.group(0) for token in tokens]
    for index, word in enumerate(words):
        if word not in SPEECH_VERBS or index == 0:
            continue
        following = words[index + 1 : index + 2]
        if following and following[0].lower() in NOT_SPEECH_AFTER:
            continue
        speaker = _speaker(_subject(" ".join(words[:index])), memory)
        if speaker:
            return Attribution(*speaker, verb=word, statement=_reported_statement(plain[tokens[index].end() :]))
    return None


def _subject(before_verb: str) -> str:
    """The words just before a speech verb, back to the start of their clause.

    An apposition between commas is stepped over: "John Miller, R-Texas, said" names John Miller.
    """
    words = re.findall(r'"Q"|[^\s,;:]+|[,;:]', before_verb)
    if words[-2:-1] and words[-1] == ",":
        opening = next((i for i in range(len(words) - 2, max(len(words) - 8, 0), -1) if words[i] == ","), None)
        words = words[:opening] if opening else words
    start = len(words)
    while start > 0 and words[start - 1] not in {",", ";", ":", '"Q"'} and words[start - 1] not in CLAUSE_BOUNDARIES:
        start -= 1
    return " ".join(words[start:]) if len(words) - start <= 7 else ""


def _reported_statement(text: str) -> str:
    """What reported speech says: the clause after the verb and its audience ("told reporters on Friday that")."""
    if '"Q"' in text:
        return ""
    that = re.search(r"\bthat\s+(.*)$", text)
    return (that.group(1) if that else text).strip(" ,.")


def _speaker(phrase: str, memory: _Memory) -> tuple[str, str] | None:
    """The speaker a subject phrase names, as (name, kind); pronouns resolve to the last named speaker."""
    phrase = phrase.strip(" ,")
    lower = phrase.lower()
    if lower in PRONOUNS:
        return memory.last_speaker(PRONOUNS[lower])
    words = phrase.split()
    if not words or len(words) > 7:
        return None
    if words[0].lower() in {"the", "a", "an"}:
        words = words[1:]
    if not words:
        return None
    kind = _speaker_kind(words)
    if kind is None:
        return None
    name = _person_name(words, memory) if kind == PERSON else " ".join(words)
    return name[0].upper() + name[1:], kind


def _named_phrase(phrase: str) -> tuple[str, str] | None:
    """Whoever "according to" names, even an office in lower case ("the state auditor")."""
    words = phrase.split()
    if words and words[0].lower() in {"the", "a", "an"}:
        words = words[1:]
    if not words or len(words) > 6:
        return None
    name = " ".join(words)
    return name[0].upper() + name[1:], ANONYMOUS if phrase.lower().startswith(("a ", "an ")) else PERSON


def _speaker_kind(words: list[str]) -> str | None:
    lowered = {word.lower().strip("\u2019'") for word in words}
    if lowered & ANONYMOUS_WORDS:
        return ANONYMOUS
    if len(_trailing_name(words)) >= 2:
        return PERSON
    if set(words) & ORGANIZATION_WORDS:
        return ORGANIZATION
    if words[-1].lower() in GROUP_NOUNS or _lower_case_plural(words):
        return GROUP
    if words[-1].lower() in PERSON_NOUNS:
        return ANONYMOUS if not any(word[0].isupper() for word in words[:-1]) else PERSON
    if all(re.fullmatch(NAME_WORD, word) for word in words) and any(word[0].isupper() for word in words):
        return PERSON
    return None


def _trailing_name(words: list[str]) -> list[str]:
    """The capitalised words at the end of a phrase, after any title ("Deputy Foreign Minister")."""
    name_words = []
    for word in reversed(words):
        if word in NAME_PARTICLES and name_words:
            name_words.insert(0, word)
            continue
        if word in ROLE_WORDS or word in ORGANIZATION_WORDS or not word[0].isupper():
            break
        name_words.insert(0, word)
    while name_words and name_words[0] in NAME_PARTICLES:
        name_words.pop(0)
    return name_words


def _lower_case_plural(words: list[str]) -> bool:
    """ "Local business owners": people in the plural, not things that "say" ("reports", "figures")."""
    head = words[-1]
    return head.islower() and head.endswith("s") and not head.endswith("ss") and head not in NOT_PEOPLE


def _person_name(words: list[str], memory: _Memory) -> str:
    """The name without the titles before it; a surname alone becomes the full name used earlier."""
    name_words = _trailing_name(words)
    name = " ".join(name_words) or " ".join(words)
    if len(name_words) == 1:
        fuller = next((full for full in reversed(memory.full_names) if full.split()[-1] == name), None)
        return fuller or name
    return name


def _remember_names(sentence: str, memory: _Memory) -> None:
    for entity in named_entities(sentence):
        name = _trailing_name(entity.split())
        if len(name) >= 2:
            memory.full_names.append(" ".join(name))


OFFSET = re.compile(r"\b(a|an|one|two|three|four|five|six|seven|\d+) (days?|weeks?) (after|before)\b(.*)$", re.I)
OFFSET_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _remember_offset_dates(sentence: str, found: FoundDate, memory: _Memory, published_on) -> None:
    """ "On Friday, one day after Mike Pompeo spoke": the person named after the offset acted a day earlier."""
    match = OFFSET.search(sentence)
    if not match or found.precision != DAY:
        return
    count = int(OFFSET_NUMBERS.get(match.group(1).lower(), match.group(1)))
    days = count * (7 if match.group(2).lower().startswith("week") else 1)
    date = found.date + datetime.timedelta(days=-days if match.group(3).lower() == "after" else days)
    names = [_trailing_name(entity.split()) for entity in named_entities(match.group(4))]
    person = next((" ".join(name) for name in names if len(name) >= 2), None)
    if person and (published_on is None or date <= published_on):
        offset = " ".join(match.group(1, 2, 3))
        memory.speaker_dates[person] = FoundDate(date, DAY, f'"{offset}" {found.phrase}')


def credit_agency(sentence: str) -> str | None:
    """The agency of a photo credit line ("FEDERICO PARRA/AFP/Getty" gives "AFP")."""
    match = CREDIT_LINE.match(sentence.strip())
    return match.group(1) if match else None


# --- the extractor -----------------------------------------------------------------------------------------------


def extract(
    text: str, *, published_on: datetime.date | None = None, publisher: str = "", threshold: float = THRESHOLD
) -> list[Candidate]:
    """The candidate claims of an article, best first; ``publisher`` speaks the article's own voice."""
    candidates, memory = [], _Memory()
    sentences = split_sentences(text)
    for position, sentence in enumerate(sentences):
        following = sentences[position + 1] if position + 1 < len(sentences) else ""
        candidates.extend(_candidates_of(sentence, following, position, memory, published_on, publisher))
    proposed = [candidate for candidate in candidates if candidate.score >= threshold]
    return sorted(proposed, key=lambda candidate: (-candidate.score, candidate.position))


def _candidates_of(sentence, following, position, memory, published_on, publisher) -> list[Candidate]:
    if not _is_statement(sentence):
        return []
    _remember_names(sentence, memory)
    # A date inside a quote is part of what was said ("since 2020"), not when it was said.
    found_date = find_date(_outside_quotes(sentence), published_on)
    attribution = _attribution(sentence, following, memory)
    if attribution:
        memory.speakers.append((attribution.speaker, attribution.kind))
    date = _claim_date(attribution, found_date, memory, published_on)
    if found_date:
        memory.last_date = found_date
        _remember_offset_dates(sentence, found_date, memory, published_on)
    dated = found_date is not None
    if attribution is None:
        return [_candidate(sentence, sentence, (publisher, ORGANIZATION), False, date, dated, position)]
    speaker = (attribution.speaker, attribution.kind)
    quotes = [] if attribution.verb in CALLED else quotes_in(sentence)
    if quotes:
        return [_candidate(quote, sentence, speaker, True, date, dated, position, attributed=True) for quote in quotes]
    statement = _capitalised(attribution.statement)
    if len(statement.split()) < MIN_QUOTE_WORDS:
        return []
    return [_candidate(statement, sentence, speaker, False, date, dated, position, attributed=True)]


def headline(text: str) -> str:
    """The article's first line when it reads as a headline (it has no closing punctuation), else ""."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return "" if _is_statement(first) else first


def _is_statement(sentence: str) -> bool:
    """Headlines, tag lines and credit lines have no closing punctuation; they are not proposed."""
    return sentence.rstrip(CLOSING_QUOTES + ")").endswith((".", "!", "?")) or _quote_open(sentence)


def _attribution(sentence: str, following: str, memory: _Memory) -> Attribution | None:
    agency = credit_agency(following)
    if agency:
        return Attribution(agency, ORGANIZATION, verb="", statement=sentence)
    found = find_attribution(sentence, memory)
    if found or not sentence.startswith(tuple(QUOTE_CHARS)) or not quotes_in(sentence):
        return found
    # A paragraph that only quotes continues the last speaker's words, as news style has it.
    last = memory.last_speaker(None)
    return Attribution(*last, verb="", statement="") if last else None


def _claim_date(attribution, found_date, memory, published_on) -> FoundDate | None:
    publication = FoundDate(published_on, DAY, "publication date") if published_on else None
    if attribution is None or attribution.verb in PRESENT_TENSE_SPEECH:
        return publication
    date = found_date or memory.speaker_dates.get(attribution.speaker) or memory.last_date or publication
    if date:
        memory.speaker_dates[attribution.speaker] = date
    return date


def _candidate(text, context, speaker, is_verbatim, date, dated, position, attributed=False) -> Candidate:
    score, features = score_features(text, attributed=attributed, dated=dated)
    return Candidate(
        text=text,
        context=context,
        speaker=speaker[0],
        speaker_kind=speaker[1],
        is_verbatim=is_verbatim,
        claim_date=date.date if date else None,
        claim_date_precision=date.precision if date else DAY,
        date_basis=date.phrase if date else "",
        score=score,
        features=features,
        position=position,
    )


def _capitalised(text: str) -> str:
    text = text.replace('"Q"', "").strip()
    return text[:1].upper() + text[1:]
