"""How check-worthy a statement is: transparent weights an editor can read, added to a base.

Numbers, dates, named entities, factual verbs and attribution count for; opinion, prediction, intent,
questions and shortness count against. Candidates below ``THRESHOLD`` are not proposed.
"""

import re

from claims.intake.extraction.lexicon import NUMBER_WORDS
from claims.intake.extraction.sentences import CLOSING_QUOTES, QUOTE_CHARS

BASE_SCORE = 0.3
THRESHOLD = 0.45
MIN_STATEMENT_WORDS = 6

FEATURE_WEIGHTS = {
    "number": 0.15,
    "quantity": 0.05,
    "date": 0.1,
    "named entity": 0.05,  # per entity, at most three
    "factual verb": 0.1,
    "attributed": 0.1,
    "comparison": 0.1,
    "cause": 0.05,
    "past event": 0.05,
    "opinion": -0.2,
    "reaction": -0.2,
    "prediction": -0.2,
    "intent": -0.1,
    "question": -0.3,
    "short": -0.2,
}
MAX_ENTITIES = 3

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
# What the annotation guidelines of fact-checkers count as checkable besides figures: rankings and comparisons,
# causes and effects, events that happened.
COMPARISON_PATTERN = re.compile(
    r"\b(?:most|least|largest|biggest|highest|lowest|smallest|fastest|slowest|oldest|youngest|worst|deadliest|"
    r"first|only|record|than|twice|half|double|triple)\b",
    re.I,
)
CAUSE_PATTERN = re.compile(
    r"\b(?:because|due to|caused|causes|led to|leads to|as a result|resulted in|linked to)\b", re.I
)
PAST_EVENT_PATTERN = re.compile(
    r"\b(?:was|were)\s+\w+ed\b|\b(?!(?:has|have|had)\s)\w+\s+(?:\w{3,}ed|took|gave|left|sent|won|lost|met|began|"
    r"sold|bought|paid|spent|fell|rose|grew|hit|ran|became|made|said)\b",
    re.I,
)
# Reactions, feelings and appeals in the first or second person: "We need to", "What a shame", "We pray".
REACTION_PATTERN = re.compile(
    r"\b(?:i|we|you)(?:'re|\u2019re|'ve|\u2019ve)?\s+(?:\w+\s+)?(?:need|have to|got to|want|hope|wish|pray|thank|love|"
    r"hate|think|believe|feel|know|get that|trust)\b|\bwhat a\b|!\s*$|\bthank(?:s| you)\b",
    re.I,
)
INTENT_PATTERN = re.compile(r"\b(?:plans?|intends?|wants?|aims?|vow(?:s|ed)?|promis(?:es|ed)|hopes?|seeks?) to\b", re.I)
FACTUAL_VERB_PATTERN = re.compile(
    r"\b(?:is|are|was|were|has|have|had|remains?|remained|\w{3,}ed|spent|paid|rose|fell|grew|won|lost|made|sent|"
    r"built|cut|led|took|gave|sold|bought|hit|left|met|began|ran|became|doubled|costs?|carries|employs?)\b",
    re.I,
)


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
    patterns = (
        ("comparison", COMPARISON_PATTERN),
        ("cause", CAUSE_PATTERN),
        ("past event", PAST_EVENT_PATTERN),
        ("opinion", OPINION_PATTERN),
        ("reaction", REACTION_PATTERN),
        ("prediction", PREDICTION_PATTERN),
        ("intent", INTENT_PATTERN),
    )
    for name, pattern in patterns:
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
