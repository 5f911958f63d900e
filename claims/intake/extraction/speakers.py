"""Who a phrase names, and the people and bodies an article has named so far.

A speaker is read from the words of its phrase, never guessed: a phrase that is not a plausible name
(it holds a verb, opens with a preposition, or is a pronoun with no one to refer to) names no one, and
the extractor then proposes less rather than attributing wrongly. Later references resolve to what the
article said before: a surname to the full name ("Patel" to "Priya Patel"), a role to the person who
held it ("the governor" to "Eric Holcomb"), "the group" to the group an apposition named ("The group,
WeWorkers Coalition, ..."), a pronoun to the last speaker of its kind.
"""

import re
from dataclasses import dataclass, field

from claims.intake.extraction.lexicon import (
    ANONYMOUS_WORDS,
    AUXILIARIES,
    CALENDAR_WORDS,
    DEMONYMS,
    DOCUMENTS,
    FINDING_VERBS,
    GROUP_NOUNS,
    LEADING_WORDS,
    NAME_PARTICLES,
    NOT_IN_NAMES,
    NOT_SPEAKERS,
    ORGANIZATION_WORDS,
    PAIR_WORDS,
    PERSON_NOUNS,
    PREPOSITIONS,
    PRESENT_TENSE,
    PRONOUNS,
    REPORTING_VERBS,
    ROLE_WORDS,
    SPOKESPEOPLE,
    SURNAME_ROLES,
    TITLES,
)

PERSON, ORGANIZATION, ANONYMOUS, GROUP = "person", "organization", "anonymous", "group"
MAX_NAME_WORDS = 12
CONNECTORS = frozenset({"of", "for", "and", "on", "&"})
SPOKESPERSONS = SPOKESPEOPLE & PERSON_NOUNS  # who speaks for a body: "spokesperson", "aide", not "office"
POSSESSIVES = {"his": PERSON, "her": PERSON, "its": ORGANIZATION, "their": GROUP}


@dataclass(frozen=True)
class Speaker:
    name: str
    kind: str


@dataclass
class Person:
    name: str
    titled: str  # the name with the title it was given ("Gov. Eric Holcomb")
    roles: set[str] = field(default_factory=set)
    # A title, a role or an apposition said it is a person, or they spoke: "Cabinet Room" and "Election Day"
    # are capitalised too, and a pronoun never points to them.
    known_person: bool = False


@dataclass
class Cast:
    """The people and bodies the article has named so far, latest last, and what its later references mean."""

    people: list[Person] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)  # organisations named in full, latest last
    aliases: dict[str, Speaker] = field(default_factory=dict)  # "group" -> the group an apposition named
    speakers: list[Speaker] = field(default_factory=list)
    before: list[Person] = field(default_factory=list)  # the people as they stood before this sentence
    said_before: str = ""  # the words of this sentence before the phrase being read, for its pronouns
    pairs: list[str] = field(default_factory=list)  # two people named together: "Kevin King and Timothy Weeks"
    opening_body: str | None = None  # the body this sentence opens with: "Customs and Border Protection, ... did"
    previous_body: str | None = None  # the body the sentence before this one opened with

    def person(self, name: str) -> Person | None:
        return next((p for p in reversed(self.people) if p.name == name), None)

    def by_surname(self, word: str) -> Person | None:
        return next((p for p in reversed(self.people) if p.name.split()[-1] == word), None)

    def by_role(self, role: str) -> Person | None:
        return next((p for p in reversed(self.people) if role in p.roles), None)

    def by_acronym(self, acronym: str) -> str | None:
        """ "CDC" is the "Chinese Center for Disease Control and Prevention" named before."""
        letters = re.sub(r"[^A-Z]", "", acronym)
        for body in reversed(self.bodies):
            initials = "".join(w[0] for w in body.split() if w[0].isupper() and w.lower() not in CONNECTORS)
            if len(letters) >= 2 and letters in initials:
                return body
        return None

    def last_speaker(self, *kinds: str) -> Speaker | None:
        return next((s for s in reversed(self.speakers) if s.kind in kinds), None)

    def spoke(self, speaker: Speaker) -> None:
        self.speakers.append(speaker)
        if speaker.kind == PERSON:
            self._add(speaker.name, speaker.name, set(), known=True)

    def meet(self, plain: str) -> None:
        """Learn the full names, their titles and roles, and the aliases an apposition gives, from a sentence."""
        for run in _name_runs(plain):
            words = run.group(0).split()
            if words and words[-1].endswith(".") and not re.fullmatch(r"(?:[A-Z]\.)+", words[-1]):
                words[-1] = words[-1].rstrip(".")  # the full stop ends the sentence, not the name
            while words and words[0].lower() in NOT_NAME_OPENERS:
                words = words[1:]
            name, title, roles = _split_name(words)
            described = plain[: run.start()].split()[-1:]  # "truck driver Webb Carter", "coach Bruce Boudreau"
            if described and described[0].lower() in ROLE_WORDS | PERSON_NOUNS:
                roles = roles | {described[0].lower()}
            if len(name) >= 2 and not _organization_like(name):
                self._add(" ".join(name), " ".join([title, *name]).strip(), roles, known=bool(title or roles))
        for run in re.finditer(rf"{NAME_WORD}(?:\s+(?:of|for|and|on|&)?\s*{NAME_WORD})+", plain):
            words = run.group(0).split()
            while words and words[0].lower() in NOT_NAME_OPENERS:
                words = words[1:]
            if _pair_of_people(words):
                first, second = " ".join(words).split(" and ", 1)
                self.pairs.append(
                    f"{' '.join(_split_name(first.split())[0])} and {' '.join(_split_name(second.split())[0])}"
                )
            elif len(words) >= 3 and _organization_like(words):
                self.bodies.append(" ".join(words))
                if run.start() == 0:
                    self.opening_body = " ".join(words)
        for match in APPOSITION.finditer(plain):
            person = self.person(match.group("name"))
            if person:
                person.roles |= {w.lower() for w in match.group("role").split() if w.lower() in ROLE_WORDS}
                person.roles |= _head_role(match.group("role"))
                person.known_person = person.known_person or bool(person.roles)
        match = ALIAS.match(plain)
        if match:
            named = _longest_name(match.group("apposition"))
            if named:
                self.aliases[match.group("noun").lower()] = named

    def mentioned(self, plain: str) -> None:
        """Bring the people a sentence mentions, by full name or surname, to the front of the article's memory."""
        for person in list(self.people):
            surname = person.name.split()[-1]
            if person.name in plain or re.search(rf"\b{re.escape(surname)}\b", plain):
                self.people.remove(person)
                self.people.append(person)

    def begin_sentence(self) -> None:
        """Pronouns point back: "he" is the last person named before this sentence, not one it names later."""
        self.before = list(self.people)
        self.said_before = ""
        self.previous_body, self.opening_body = self.opening_body, None

    def last_person(self) -> Person | None:
        """ "When Ashraf Ghani announced it, he said": a person named earlier in the sentence, else before it."""
        people = [p for p in self.people if p.known_person]
        named = [p for p in people if re.search(rf"\b{re.escape(p.name.split()[-1])}\b", self.said_before)]
        if named:
            return max(named, key=lambda p: self.said_before.rfind(p.name.split()[-1]))
        before = [p for p in self.before if p.known_person]
        return before[-1] if before else None

    def _add(self, name: str, titled: str, roles: set[str], *, known: bool) -> None:
        person = self.person(name)
        if person:
            person.roles |= roles
            person.known_person = person.known_person or known
            self.people.remove(person)
            self.people.append(person)
            return
        self.people.append(Person(name, titled, roles, known_person=known))


# Capitalised words that open a sentence or a clause, not a name: "But Arroyo said", "In May, NASA ...".
NOT_NAME_OPENERS = LEADING_WORDS | PREPOSITIONS | frozenset({"the", "a", "an", "this", "that", "these", "those"})
NAME_WORD = r"(?:[A-Z][\w'\u2019.-]*|(?:de|da|van|von|der|al|bin|del)(?=\s[A-Z]))"
NAME_RUN = re.compile(rf"\b{NAME_WORD}(?:\s+{NAME_WORD})*")
# "Maria Lopez, the labour minister," / "Arroyo, a Sacramento family medicine physician and psychiatrist."
APPOSITION = re.compile(
    r"(?P<name>[A-Z][\w'\u2019.-]*(?:\s[A-Z][\w'\u2019.-]*)+),\s(?:a|an|the)\s(?P<role>[^,.;]{3,80}?)(?=[,.;]|\s(?:of|at|for|who|which)\s)"
)
# "The group, WeWorkers Coalition, formed ..." / "The doctors, members of a recently formed group Doctors for Camp
# Closure, D4CC, have offered ...": the description at the start stands for the name in its apposition.
ALIAS = re.compile(r"^The (?P<noun>[a-z]+), (?P<apposition>[^,]{3,90}),")


def _name_runs(text: str):
    return NAME_RUN.finditer(text)


def _split_name(words: list[str]) -> tuple[list[str], str, set[str]]:
    """A capitalised run as (the name at its end, the title just before it, the roles before that)."""
    name: list[str] = []
    for position in range(len(words) - 1, -1, -1):
        word = words[position]
        lowered = word.lower().rstrip(",")
        if lowered in SURNAME_ROLES and not name and _first_name_before(words, position):
            name.insert(0, word)  # "Kevin King", "Angela Judge": a surname that is also a role
            continue
        if lowered in TITLES or lowered in ROLE_WORDS or lowered in DEMONYMS or _possessive(word):
            break
        if word in NAME_PARTICLES and not name:
            break
        if not word[0].isupper() and word not in NAME_PARTICLES:
            break
        name.insert(0, word)
    while name and name[0] in NAME_PARTICLES:
        name.pop(0)
    before = words[: len(words) - len(name)]
    title = before[-1] if before and before[-1].lower() in TITLES else ""
    roles = {TITLES.get(w.lower()) or w.lower() for w in before if w.lower() in TITLES or w.lower() in ROLE_WORDS}
    return name, title, {role for role in roles if role}


def _first_name_before(words: list[str], position: int) -> bool:
    if position == 0:
        return False
    before = words[position - 1].lower()
    plain_word = before not in TITLES and before not in ROLE_WORDS and before not in DEMONYMS
    return plain_word and words[position - 1][0].isupper() and before not in CONNECTORS


def _possessive(word: str) -> bool:
    return word.endswith(("'s", "\u2019s", "s'", "s\u2019"))


def _head_role(description: str) -> set[str]:
    words = [w.lower() for w in description.split()]
    heads = [w for w in words if w in ROLE_WORDS or w in PERSON_NOUNS]
    return {heads[-1]} if heads else set()


def _organization_like(words: list[str]) -> bool:
    lowered = [w.lower().rstrip("\u2019's") for w in words]
    if any(w.rstrip(".") in CALENDAR_WORDS for w in lowered):
        return False
    return (
        any(w in ORGANIZATION_WORDS for w in lowered)
        or any(w in CONNECTORS for w in lowered)
        or all(_acronym(w) for w in words)
    )


def _acronym(word: str) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", word)
    return len(letters) >= 2 and letters.isupper()


def _longest_name(text: str) -> Speaker | None:
    """The longest capitalised name in a phrase, as a speaker: "a recently formed group Doctors for Camp Closure"."""
    runs = re.findall(rf"{NAME_WORD}(?:\s+(?:of|for|and|on|in|the|&)?\s*{NAME_WORD})+", text)
    if not runs:
        return None
    run = max(runs, key=len)
    return Speaker(run, ORGANIZATION if _organization_like(run.split()) else PERSON)


# --- reading a phrase ------------------------------------------------------------------------------------------------


def speaker_of(phrase: str, cast: Cast) -> Speaker | None:
    """The speaker a subject phrase names, or None when it names no one plausibly."""
    words = [w for w in phrase.replace(",", " ").split() if w]
    while len(words) > 1 and words[0].lower() in LEADING_WORDS:
        words = words[1:]
    while words and words[-1].lower() in AUXILIARIES:
        words = words[:-1]
    if not words or len(words) > MAX_NAME_WORDS:
        return None
    lowered = [w.lower() for w in words]
    if lowered[-1:] and lowered[-1] in PAIR_WORDS and lowered[:-1] in (["both"], ["the", "two"]):
        # "Both men claimed ...": the two people the article named together.
        return Speaker(cast.pairs[-1], PERSON) if cast.pairs else None
    if "by" in lowered and set(lowered[: lowered.index("by")]) & DOCUMENTS:
        # "a March 2019 study by the Centre for Economic Policy Research": whoever wrote it.
        return speaker_of(" ".join(words[lowered.index("by") + 1 :]), cast)
    if lowered[0] in PREPOSITIONS or any(w in NOT_IN_NAMES for w in lowered) or any(_digits(w) for w in words):
        return None
    if any(
        w.islower()
        and w in REPORTING_VERBS | FINDING_VERBS
        and w not in PRESENT_TENSE
        and following not in ("in", "by")
        for w, following in zip(words, [*lowered[1:], ""], strict=True)
    ):
        # "sources in the camp told Polygraph": a clause, not a name ("the state auditor" is one, and so are "the
        # authors of the research published in JAMA", where the verb is a participle describing the research).
        return None
    if _possessive(words[-1]):
        return None  # "Pompeo's claims": a possessive is no subject
    if lowered[-1] in CONNECTORS or lowered[-1] in PREPOSITIONS:
        return None  # "US of": a name cut short
    if len(words) == 1 and lowered[0] in PRONOUNS:
        return _pronoun(lowered[0], cast)
    if lowered[0] in POSSESSIVES:
        return _possessed(words, cast)
    if any(w in PRONOUNS or w in POSSESSIVES for w in lowered):
        return None
    if lowered[0] in ("a", "an"):
        return _someone(words, cast)
    if lowered[0] == "the" and not any(w[0].isupper() for w in words[1:]):
        return _description(words, cast)
    return _named(words, cast)


def _digits(word: str) -> bool:
    return any(c.isdigit() for c in word)


def _pronoun(pronoun: str, cast: Cast) -> Speaker | None:
    if pronoun in ("he", "she"):
        person = cast.last_person()
        return Speaker(person.name, PERSON) if person else None
    if pronoun == "they":
        return cast.last_speaker(GROUP, ORGANIZATION)
    if pronoun == "it":
        return cast.last_speaker(ORGANIZATION)
    return None


def _possessed(words: list[str], cast: Cast) -> Speaker | None:
    """ "His office", "its spokesperson": the owner's office, named after the owner."""
    owner = _pronoun({"his": "he", "her": "she", "its": "it", "their": "they"}[words[0].lower()], cast)
    if owner is None or len(words) > 3 or words[-1].lower() not in SPOKESPEOPLE:
        return None
    thing = " ".join(words[1:]).lower()
    if owner.kind == PERSON:
        person = cast.person(owner.name)
        return Speaker(f"The {thing} of {person.titled if person else owner.name}", ORGANIZATION)
    return Speaker(f"The {thing} of {owner.name}", ANONYMOUS if words[-1].lower() in PERSON_NOUNS else ORGANIZATION)


def _someone(words: list[str], cast: Cast) -> Speaker | None:
    """ "An unnamed official", "a person familiar with the matter", "a group of employees"."""
    lowered = [w.lower() for w in words]
    if len(words) == 2 and lowered[1] in SPOKESPERSONS and cast.previous_body:
        # "Customs and Border Protection did not accept the offer. A spokesperson said ...": that body's.
        return Speaker(f"A {cast.previous_body} {lowered[1]}", ANONYMOUS)
    heads = [w for w in lowered[1:6] if w in PERSON_NOUNS or w in GROUP_NOUNS or w in ("group", "source")]
    if not heads and not set(lowered) & ANONYMOUS_WORDS:
        return None
    return Speaker(_capitalised(" ".join(words)), ANONYMOUS)


def _description(words: list[str], cast: Cast) -> Speaker | None:
    """ "The governor", "the group", "the doctors": who the article named so before, else the description."""
    body = [w.lower() for w in words[1:]]
    if len(body) > 2 and body[0] in GROUP_NOUNS and body[1] in ("of", "in", "at", "from", "for"):
        # "The authors of the research published in JAMA Psychiatry": people named by what they did.
        return Speaker(_capitalised(" ".join(words)), GROUP)
    if not body or len(body) > 6:
        return None
    head = body[-1]
    if head in cast.aliases:
        return cast.aliases[head]
    person = cast.by_role(head)
    if person:
        return Speaker(person.name, PERSON)
    earlier = next(
        (s for s in reversed(cast.speakers) if s.kind in (ORGANIZATION, GROUP) and _same_head(head, s.name)), None
    )
    if earlier:
        return earlier
    if head in ("group", "organization", "organisation", "company", "agency", "coalition", "firm"):
        return cast.last_speaker(ORGANIZATION)
    if head in ("source", "person") or head in ANONYMOUS_WORDS:
        return cast.last_speaker(ANONYMOUS)
    if head in PERSON_NOUNS:
        # "A spokesperson who asked not to be named said ... "the spokesperson said": the same unnamed one.
        same = next((s for s in reversed(cast.speakers) if s.kind == ANONYMOUS and _same_head(head, s.name)), None)
        if same:
            return same
    name = _capitalised(" ".join(words[1:]))
    if head in NOT_SPEAKERS:
        return None
    if head in ORGANIZATION_WORDS:
        return Speaker(name, ORGANIZATION)
    if head in GROUP_NOUNS:
        return Speaker(name, GROUP)
    if head in PERSON_NOUNS or head in ROLE_WORDS:
        return Speaker(name, ANONYMOUS)
    return None


def _same_head(head: str, name: str) -> bool:
    """ "the unions" is "teachers unions"; "the doctors" is "Doctors for Camp Closure"."""
    stem = head.rstrip("s")
    return any(word.lower().rstrip("s") == stem for word in name.split())


def _named(words: list[str], cast: Cast) -> Speaker | None:
    if words[0].lower() == "the":
        words = words[1:]
    if not words:
        return None
    lowered = [w.lower() for w in words]
    if set(lowered) & ANONYMOUS_WORDS:
        return Speaker(_capitalised(" ".join(words)), ANONYMOUS)
    if lowered[-1] in NOT_SPEAKERS and not _capitals([w for w in words[1:] if w.lower() not in CONNECTORS]):
        return None  # "economic research" is no one; "the Centre for Economic Policy Research" is a body
    if lowered[0] in GROUP_NOUNS and 2 < len(words) <= 10 and lowered[1] in ("in", "at", "from", "of", "for"):
        # "authorities in Beijing", "executives of both companies": people named by where they are.
        return Speaker(_capitalised(" ".join(words)), GROUP)
    if _described_name(words):
        return _person(words, cast)
    acronyms = [w for w in words if _acronym(w) and len(w) <= 6]
    if acronyms and len(words) <= 3:
        body = cast.by_acronym(acronyms[-1])
        if body:
            return Speaker(body, ORGANIZATION)
    # "Sui-Lee Wee of the New York Times": the person, not where they work.
    for cut in ("of", "at", "from", "with"):
        if cut in words:
            before = words[: words.index(cut)]
            name, _, _ = _split_name(before)
            if len(name) >= 1 and name == before[-len(name) :] and not _organization_like(before) and _capitals(name):
                person = _person(before, cast)
                if person:
                    return person
    if _pair_of_people(words):
        return Speaker(" ".join(words), PERSON)
    if _organization_like(words) and _capitals([w for w in words if w.lower() not in CONNECTORS]):
        return Speaker(_capitalised(" ".join(words)), ORGANIZATION)
    if lowered[-1] in GROUP_NOUNS or (lowered[-1] in ORGANIZATION_WORDS and not _capitals(words)):
        return Speaker(_capitalised(" ".join(words)), GROUP if lowered[-1] in GROUP_NOUNS else ORGANIZATION)
    if _capitals(words) or _described_name(words):
        return _person(words, cast)
    return None


def _described_name(words: list[str]) -> bool:
    """ "Democratic leader Sarah Chen", "high school math teacher Angela Cooper": a name after who they are."""
    name, _, _ = _split_name(words)
    before = words[: len(words) - len(name)]
    if not name or not before or not _capitals(name) or len(name) > 4 or _organization_like(name):
        return False
    last = before[-1].lower()
    return last in ROLE_WORDS or last in PERSON_NOUNS or last in TITLES


def _capitals(words: list[str]) -> bool:
    return bool(words) and all(w[0].isupper() or w in NAME_PARTICLES or w.lower() in TITLES for w in words)


def _pair_of_people(words: list[str]) -> bool:
    if "and" not in words:
        return False
    first, second = words[: words.index("and")], words[words.index("and") + 1 :]
    return all(len(part) >= 2 and _capitals(part) and not _organization_like(part) for part in (first, second))


def _person(words: list[str], cast: Cast) -> Speaker | None:
    """A person's name without the titles and roles before it; a surname alone is the full name used earlier."""
    name, _, _ = _split_name(words)
    if not name:
        role = next((w.lower() for w in reversed(words) if w.lower() in ROLE_WORDS), None)
        person = cast.by_role(role) if role else None
        return Speaker(person.name, PERSON) if person else None
    if len(name) == 1:
        known = cast.by_surname(name[0])
        if known:
            return Speaker(known.name, PERSON)
        if _acronym(name[0]) or len(words) == 1:
            # One unknown capitalised word that is no one's surname here: a body ("Reuters", "NASA", "Emirates").
            return Speaker(name[0], ORGANIZATION)
        return Speaker(name[0], PERSON)
    return Speaker(" ".join(name), PERSON)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
