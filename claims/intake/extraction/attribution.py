"""Who a sentence says is speaking, what they said, and the words that say when.

Attribution is read on the sentence with its direct quotes set aside (``outside_quotes``):
- a reporting verb with its subject before it ("Patel said", "the ministry has said", "Omar Lamrani, a
  senior analyst at Stratfor, told ..."), after it ("..., said Patel, a minister." / "..., reports
  Reuters."), or the subject of the clause a participle follows ("..., saying ...");
- "according to X" and "per X", anywhere in the sentence;
- "in a statement sent by X";
- "X called Y a Z", which states that Y is a Z.
When a sentence relays another body's statement ("X said, according to Reuters"), the body that made
it is the speaker. What was said is the clause after the verb ("said that ...", "told reporters on Friday
that ..."), or, when the attribution ends the sentence, the words before it; direct quotes, when there
are any, are what was said. The rest of the sentence (the ``attribution_text``) is where the date of the
statement is read: never in the statement itself, which may mention the date of something else.
"""

import re
from dataclasses import dataclass

from claims.intake.extraction.lexicon import (
    AUDIENCE_WORDS,
    AUXILIARIES,
    BE,
    CALLED,
    CHARACTERISING_VERBS,
    CHARACTERISING_WITH_AS,
    CIRCUMSTANCES,
    CLAUSE_OPENERS,
    DOCUMENTS,
    FINDING_VERBS,
    LEADING_WORDS,
    MEDIA,
    NEED_THAT,
    NOT_SPEECH_AFTER,
    PARTICIPLES,
    PHRASAL_VERBS,
    PREPOSITIONS,
    REPORTING_VERBS,
    SAID_TO,
    TIME_WORDS,
)
from claims.intake.extraction.sentences import QUOTE_MARK, Token, tokens
from claims.intake.extraction.speakers import Cast, Speaker, speaker_of

HARD_BOUNDARIES = frozenset({";", ":", QUOTE_MARK, "(", ")", "\u2014", "\u2013", "."})
MAX_SUBJECT_TOKENS = 14
MAX_APPOSITION_TOKENS = 30


@dataclass(frozen=True)
class Attribution:
    speaker: Speaker
    verb: str  # the reporting verb as written; "" for "according to", a caption or a continued quote
    statement: str  # what was said, for reported speech; "" when the direct quotes carry it
    attribution_text: str  # the sentence without the statement: where the date of the statement is said
    relayed: bool = False  # the statement is the words before the attribution ("..., Reuters reported.")
    # What the sentence tells besides the statement, each part read on its own: "NASA awarded ..." in "NASA
    # awarded ..., citing ...", "Three cases have been diagnosed" in "..., though officials say ...".
    narration: tuple[str, ...] = ()


def find_attribution(plain: str, cast: Cast) -> Attribution | None:
    """Who ``plain`` (a sentence with its quotes set aside) says is speaking, or None for the publisher's voice."""
    words = tokens(plain)
    known = len(cast.speakers)
    by_verb = []
    for index in range(len(words)):
        found = _at_verb(plain, words, index, cast)
        if found:
            by_verb.append(found)
            cast.spoke(found.speaker)  # "the CDC has said ..., and it has also acknowledged ...": "it" is the CDC
    del cast.speakers[known:]
    # "X claims A, citing B": the participle only speaks for a sentence with no reporting verb of its own.
    by_verb = [found for found in by_verb if found.verb.lower() not in PARTICIPLES] or by_verb
    # "He said A, Tass reported": a relay that ends the sentence gives way to the statement it relays.
    direct = [found for found in by_verb if not found.relayed]
    if direct:
        return direct[-1]  # the innermost: "X said Y told reporters that ..." is Y's statement
    if by_verb:
        return by_verb[-1]
    return _according_to(plain, words, cast) or _medium(plain, words, cast)


# --- reporting verbs -------------------------------------------------------------------------------------------------


def _at_verb(plain: str, words: list[Token], index: int, cast: Cast) -> Attribution | None:
    word = words[index].lower
    if not words[index].text.islower():  # "Secretary of State Mike Pompeo": a verb is never capitalised mid-sentence
        return None
    following = words[index + 1].lower if index + 1 < len(words) else ""
    if word in PHRASAL_VERBS and following != PHRASAL_VERBS[word]:
        return None
    reporting = word in REPORTING_VERBS or word in PHRASAL_VERBS
    if not (reporting or word in FINDING_VERBS or word in PARTICIPLES or word in CHARACTERISING_VERBS):
        return None
    if word in CALLED or following in NOT_SPEECH_AFTER or (index and words[index - 1].lower in BE):
        return None
    if word in SAID_TO and following == "to":
        return None
    inverted = index > 0 and words[index - 1].text in (",", QUOTE_MARK)
    if word in NEED_THAT and not (inverted or _what_was_said_follows(words, index) or _ends_clause(words, index)):
        return None
    end_of_verb = index + 2 if word in PHRASAL_VERBS else index + 1
    if word in PARTICIPLES:
        return _participle(plain, words, index, cast)
    subject = _subject_before(words, index, cast)
    if subject is None and index and words[index - 1].lower in ("and", "but"):
        subject = _clause_subject(words, index - 1, cast)  # "He acknowledged ..., but said ...": the same subject
    if subject is None:
        return _inverted(plain, words, index, cast) if reporting else None
    speaker, subject_start = subject
    if word in FINDING_VERBS and not _that_follows(words, end_of_verb) and not _document(words, subject_start, index):
        return None
    if word in CHARACTERISING_VERBS:
        if word in CHARACTERISING_WITH_AS and "as" not in [w.lower for w in words[index + 1 : index + 12]]:
            return None
        return Attribution(speaker, words[index].text, plain, plain)
    return _with_statement(plain, words, speaker, words[index].text, subject_start, end_of_verb)


def _subject_before(words: list[Token], index: int, cast: Cast) -> tuple[Speaker, int] | None:
    """The speaker named just before the verb, or at the start of its clause before an apposition."""
    end = index
    while end > 0 and words[end - 1].lower in AUXILIARIES:
        end -= 1
    if end == 0:
        return None
    if words[end - 1].text == ",":
        return _subject_before_apposition(words, end - 1, cast)
    start = end
    while start > 0 and end - start < MAX_SUBJECT_TOKENS:
        previous = words[start - 1]
        if previous.text in HARD_BOUNDARIES or previous.text == ",":
            break
        if previous.lower in CLAUSE_OPENERS and not _inside_a_name(words, start - 1):
            break
        start -= 1
    speaker = _longest_speaker(words, start, end, cast)
    relative = next(
        (i for i in range(start - 1, max(start - MAX_SUBJECT_TOKENS, -1), -1) if words[i].lower in ("who", "which")),
        None,
    )
    if speaker is None and relative is not None and all(w.text != "," for w in words[relative:end]):
        # "A spokesperson who did not wish to be named said": the speaker is before the relative clause.
        opening = relative
        while opening > 0 and words[opening - 1].text not in HARD_BOUNDARIES and words[opening - 1].text != ",":
            opening -= 1
        return _longest_speaker(words, opening, relative, cast)
    return speaker


def _inside_a_name(words: list[Token], index: int) -> bool:
    """ "Center for Disease Control and Prevention": an "and" between capitalised words joins a name."""
    return (
        words[index].lower in ("and", "&")
        and 0 < index < len(words) - 1
        and words[index - 1].text[:1].isupper()
        and words[index + 1].text[:1].isupper()
    )


def _longest_speaker(words: list[Token], start: int, end: int, cast: Cast) -> tuple[Speaker, int] | None:
    """The speaker of the longest phrase ending at ``end`` after words that open a clause ("But", "also")."""
    for first in range(start, end):
        if not all(w.lower in DROPPABLE for w in words[start:first]):
            break
        cast.said_before = _text(words[:first])
        speaker = speaker_of(_text(words[first:end]), cast)
        if speaker:
            return speaker, first
    return None


DROPPABLE = LEADING_WORDS | AUXILIARIES


def _subject_before_apposition(words: list[Token], comma: int, cast: Cast) -> tuple[Speaker, int] | None:
    """ "Omar Lamrani, a senior analyst at Stratfor, the Texas-based firm, told ...": the name that opens the clause."""
    start = comma
    while start > 0 and words[start - 1].text not in HARD_BOUNDARIES and comma - start < MAX_APPOSITION_TOKENS:
        start -= 1
    segments, first = [], start
    for position in range(start, comma + 1):
        if words[position].text == ",":
            segments.append((first, position))
            first = position + 1
    for number, (first, last) in enumerate(segments[:-1]):
        speaker = speaker_of(_text(words[first:last]), cast)
        if speaker and all(_apposition(words[a:b]) for a, b in segments[number + 1 :]):
            return speaker, first
    return None


def _apposition(words: list[Token]) -> bool:
    """A phrase that describes a name: "a senior analyst at Stratfor", "R-Texas", "who heads the alliance"."""
    if not words:
        return False
    first = words[0].lower
    if any(w.text.islower() and w.lower in REPORTING_VERBS for w in words):
        return False
    return first in ("a", "an", "the", "who", "which", "whose") or words[0].text[0].isupper() or len(words) <= 20


def _inverted(plain: str, words: list[Token], index: int, cast: Cast) -> Attribution | None:
    """ "..., said Scott Paul, who heads ..." or '"...," said Shotwell': the speaker follows the verb."""
    if index == 0 or words[index - 1].text not in (",", QUOTE_MARK) or words[index].lower in ("told", "tells"):
        return None  # "told X" names the audience, never the speaker
    end = index + 1
    while end < len(words) and words[end].text not in (",", ".", ";", ":", "(") and end - index <= MAX_SUBJECT_TOKENS:
        if words[end].lower in CIRCUMSTANCES and words[end].text.islower():
            break
        end += 1
    speaker = speaker_of(_text(words[index + 1 : end]), cast)
    if speaker is None:
        return None
    before = plain[: words[index - 1].start].strip(" ,")
    statement = "" if before.endswith(QUOTE_MARK) or not before else before
    rest = _remove(plain, before) if statement else plain
    return Attribution(speaker, words[index].text, statement, rest, relayed=bool(statement))


def _participle(plain: str, words: list[Token], index: int, cast: Cast) -> Attribution | None:
    """ "OrbitBeyond canceled its order, citing business issues": the subject of the clause before the comma."""
    if index == 0 or words[index - 1].text != ",":
        return None
    subject = _clause_subject(words, index - 1, cast)
    if subject is None:
        return None
    after = index + 1
    if after < len(words) and words[after].lower == "that":
        after += 1
    statement = plain[words[after].start :].strip(" .") if after < len(words) else ""
    main_clause = plain[: words[index - 1].start].strip(" ,")
    return Attribution(subject[0], words[index].text, statement, _remove(plain, statement), narration=(main_clause,))


def _clause_subject(words: list[Token], end: int, cast: Cast) -> tuple[Speaker, int] | None:
    """The speaker that opens the clause ending at ``end``: "OrbitBeyond" in "but OrbitBeyond canceled its order"."""
    start = end
    while start > 0 and not (
        words[start - 1].text in HARD_BOUNDARIES or words[start - 1].lower in ("but", "and", "while", "whereas")
    ):
        start -= 1
    while start < end and words[start].text == ",":
        start += 1
    for last in range(min(start + 8, end), start, -1):
        speaker = speaker_of(_text(words[start:last]), cast)
        if speaker:
            return speaker, start
    return None


def _with_statement(plain, words, speaker, verb, subject_start, end_of_verb) -> Attribution:
    """What was said: the clause after the verb, or the words before the speaker when nothing follows the verb."""
    position = _after_circumstances(words, end_of_verb, verb)
    relayed = False
    if position < len(words) and words[position].text == "," and words[position - 1].lower == "that":
        # "concluded that, using standard methods, the tariff ...": what was said follows the aside.
        statement = plain[words[position].end :].strip()
    elif position >= len(words) or words[position].text in (",", ".", ";", "!", "?"):
        before_subject = plain[: words[subject_start].start].strip(" ,")
        statement = "" if before_subject.endswith(QUOTE_MARK) else before_subject
        relayed = bool(before_subject)
        if before_subject.lower() in ("as", "as the") and position < len(words) and words[position].text == ",":
            # "As Feng reports, the first cases came to light": what was said follows the attribution.
            statement, relayed = plain[words[position].end :].strip(), False
    elif words[position].text == ":":
        statement = plain[words[position].end :].strip()
    else:
        statement = plain[words[position].start :].strip()
    statement = statement if QUOTE_MARK not in statement else ""
    attribution_text = _remove(plain, statement)
    narration = []
    if not relayed:
        narration += _clause_before(plain, words, subject_start)
    background = TRAILING_RELATIVE.search(statement)
    if background:
        # "... a conference of the Republican Governors Association, which gave $5.9 million to his campaign":
        # what the relative clause adds about a name is the publisher's background, not the speaker's words.
        statement = statement[: background.start("comma")]
        narration.append(background.group("told"))
    return Attribution(
        speaker, verb, statement.rstrip(" ."), attribution_text, relayed=relayed, narration=tuple(narration)
    )


TRAILING_RELATIVE = re.compile(
    r"(?P<told>(?:[A-Z][\w'\u2019.-]*\s+)*[A-Z][\w'\u2019.-]*(?P<comma>,)\s+(?:which|who)\s[^,;]{12,}?)\.?$"
)
SUBORDINATORS = frozenset({"though", "although", "while", "whereas", "but", "and", "yet"})
TIME_CLAUSE_OPENERS = frozenset({"when", "after", "before", "while", "as"})
MIN_NARRATION_WORDS = 4


def _clause_before(plain: str, words: list[Token], subject_start: int) -> list[str]:
    """The clause a sentence tells before its attribution: "When Ghani announced the exchange last week, he said
    ..." and "Three cases have been diagnosed, though officials say ..." tell the announcing and the diagnosing."""
    joined = next(
        (
            j
            for j in range(subject_start - 1, max(subject_start - MAX_SUBJECT_TOKENS, 0), -1)
            if words[j].text in (",", "\u2014", ";") and words[j + 1].lower in SUBORDINATORS
        ),
        None,
    )
    if joined is not None:
        # "A, though B says C" and "A, and both X and Y told Polygraph C": A is a clause of its own.
        clause = plain[: words[joined].start]
    elif subject_start == 0 or words[subject_start - 1].text != ",":
        return []
    elif words[0].lower in TIME_CLAUSE_OPENERS and all(w.text not in HARD_BOUNDARIES for w in words[:subject_start]):
        clause = plain[words[1].start : words[subject_start - 1].start]
    else:
        return []
    clause = clause.strip(" ,")
    if clause.count("\u201c") > clause.count("\u201d"):
        clause += "\u201d"  # the comma that ends the clause stood inside its closing quote: "as “false,” and"
    if len(clause.split()) < MIN_NARRATION_WORDS or QUOTE_MARK in clause:
        return []
    return [clause]


def _after_circumstances(words: list[Token], position: int, verb: str) -> int:
    """Past the audience ("told reporters", "told Business Insider"), time and place, to what was said."""
    if verb.lower() in ("told", "tells", "tell") and position < len(words):
        position = _past_audience(words, position)
    while position < len(words):
        word = words[position]
        if word.lower == "that":
            return position + 1
        if word.lower in PREPOSITIONS or _time_word(word):
            nxt = _past_phrase(words, position)
            if nxt == position:
                break
            position = nxt
            continue
        break
    return position


def _past_audience(words: list[Token], position: int) -> int:
    first = words[position]
    if first.text[0].isupper():
        while position < len(words) and (
            words[position].text[0].isupper() or words[position].lower in ("correspondent",)
        ):
            position += 1
        return position
    upcoming = [w.lower for w in words[position : position + 14]]
    if "that" in upcoming:
        return position + upcoming.index("that")
    return position + 1 if first.lower in AUDIENCE_WORDS or first.text.islower() else position


def _time_word(word: Token) -> bool:
    return word.lower.rstrip(".") in TIME_WORDS


def _past_phrase(words: list[Token], position: int) -> int:
    """Past one prepositional or time phrase: up to "that", a comma, or six words."""
    end = position + 1
    while end < len(words) and end - position < 7 and words[end].lower != "that" and words[end].text not in ",.;:":
        end += 1
    if end < len(words) and words[end].lower == "that":
        return end
    if end < len(words) and words[end].text in ",.;:":
        return end
    return position


def _what_was_said_follows(words: list[Token], index: int) -> bool:
    """ "added that ...", "added: ...", 'added "..."': the verb introduces speech, not an object."""
    position = _after_circumstances(words, index + 1, words[index].text)
    before = words[position - 1].lower if position > index + 1 else ""
    upcoming = words[position].text if position < len(words) else ""
    return before == "that" or upcoming in (":", QUOTE_MARK)


def _ends_clause(words: list[Token], index: int) -> bool:
    """ "..., she added." / "..., she added in a statement.": the verb closes its sentence."""
    position = _after_circumstances(words, index + 1, words[index].text)
    return position >= len(words) or words[position].text in (",", ".", ";", "!", "?")


def _that_follows(words: list[Token], position: int) -> bool:
    return (
        _after_circumstances(words, position, "") > position
        and words[_after_circumstances(words, position, "") - 1].lower == "that"
    )


def _document(words: list[Token], start: int, end: int) -> bool:
    return any(w.lower in DOCUMENTS for w in words[start:end])


# --- "according to X", "in a statement sent by X" ---------------------------------------------------------------


def _according_to(plain: str, words: list[Token], cast: Cast) -> Attribution | None:
    for index, word in enumerate(words):
        relay = (word.lower == "according" and index + 1 < len(words) and words[index + 1].lower == "to") or (
            word.lower == "per" and index > 0 and words[index - 1].text == ","
        )
        if not relay:
            continue
        first = index + (2 if word.lower == "according" else 1)
        last = first
        while last < len(words) and words[last].text not in (",", ".", ";", ":", QUOTE_MARK, "(", "\u2014"):
            last += 1
        speaker = speaker_of(_text(words[first:last]), cast)
        if speaker:
            span = plain[word.start : words[last - 1].end]
            statement = _remove(plain, span).strip(" ,.")
            return Attribution(speaker, "", statement, span)
    return None


def _medium(plain: str, words: list[Token], cast: Cast) -> Attribution | None:
    """ "In a company email sent by chairman Marcelo Claure, employees were told that ...": the sender's."""
    lowered = [w.lower for w in words]
    if not lowered or lowered[0] != "in" or "," not in lowered:
        return None
    comma = lowered.index(",")
    if not any(w in MEDIA for w in lowered[:comma]) or "by" not in lowered[:comma]:
        return None
    by = lowered.index("by")
    speaker = speaker_of(_text(words[by + 1 : comma]), cast)
    if speaker is None:
        return None
    statement = plain[words[comma].end :].strip(" .")
    return Attribution(speaker, "", statement, plain[: words[comma].start])


# --- helpers -------------------------------------------------------------------------------------------------------


def _text(words: list[Token]) -> str:
    return " ".join(word.text for word in words)


def _remove(text: str, part: str) -> str:
    return text.replace(part, " ", 1) if part else text
