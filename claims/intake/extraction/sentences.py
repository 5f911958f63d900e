"""Sentences, quotes and the words between them.

Paragraphs are lines; abbreviations ("U.S.", "Mr.", "Jan.") and initials ("J. R. R.") do not end a
sentence, nor does a full stop inside an open quotation, so a quote of several sentences stays with its
attribution.
"""

import re
from dataclasses import dataclass

from claims.intake.extraction.lexicon import ABBREVIATIONS, SENTENCE_OPENERS

QUOTE_CHARS = '"“”'
CLOSING_QUOTES = "\"”\u2019'"
MIN_QUOTE_WORDS = 4  # shorter quotes are scare quotes inside a statement, not statements
QUOTE_MARK = '"Q"'  # what a direct quote becomes while the words around it are read
SENTENCE_END = re.compile(r"[.!?]+[\"”\u2019')\]]*(?=\s+)")
# "WASHINGTON —", "DUBAI, United Arab Emirates —", "Indianapolis \u2013": where the story was filed, not what it says.
DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.'-]*\s?){1,4}(?:\([A-Za-z.]+\)\s?)?(?:,\s(?:[A-Z][\w.'-]*\s?){1,4})?[\u2014\u2013]\s+"
)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, each paragraph (line) on its own."""
    sentences = []
    for paragraph in text.splitlines():
        sentences.extend(_split_paragraph(paragraph.strip()))
    return [sentence for sentence in sentences if sentence]


def paragraphs_of(text: str) -> list[list[str]]:
    """The sentences of ``text`` by paragraph (line), empty lines left out."""
    return [sentences for line in text.splitlines() if (sentences := _split_paragraph(line.strip())) != [""]]


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
    if quote_open(before):
        return False
    last_word = before.rstrip(CLOSING_QUOTES + ")]").split()[-1] if before.split() else ""
    stem = last_word.rstrip(".!?")
    if re.fullmatch(r"(?:[A-Za-z]\.)+", last_word):  # an initial ("J.") or a dotted abbreviation ("U.S.")
        return len(stem) > 1 and after.split()[0] in SENTENCE_OPENERS
    return stem.lower() not in ABBREVIATIONS


def quote_open(text: str) -> bool:
    return (text.count('"') % 2 == 1) or text.count("“") > text.count("”")


def without_dateline(sentence: str) -> str:
    return DATELINE.sub("", sentence, count=1)


def is_statement(sentence: str) -> bool:
    """Headlines, tag lines and credit lines have no closing punctuation; questions assert nothing."""
    end = sentence.rstrip(CLOSING_QUOTES + ")")
    return end.endswith((".", "!")) or (quote_open(sentence) and not end.endswith("?"))


def quotes_in(sentence: str) -> list[str]:
    """Direct quotes of at least ``MIN_QUOTE_WORDS`` words; an unclosed one runs to the sentence's end."""
    spans = re.findall(r"[\"“]([^\"“”]+)(?:[\"”]|$)", sentence)
    return [q.strip().rstrip(",.;:").strip() for q in spans if len(q.split()) >= MIN_QUOTE_WORDS]


def outside_quotes(sentence: str) -> str:
    """The sentence with its direct quotes replaced by ``QUOTE_MARK``, so attributions are not read inside them.

    Scare quotes (shorter than a direct quote) stay: they are part of the statement around them.
    """

    def placeholder(match: re.Match) -> str:
        return f" {QUOTE_MARK} " if len(match.group(0).split()) >= MIN_QUOTE_WORDS else match.group(0)

    return re.sub(r"\s+", " ", re.sub(r"[\"“][^\"“”]*(?:[\"”]|$)", placeholder, sentence)).strip()


TOKEN = re.compile(r"\"Q\"|[$€£]?\d[\d,.]*\d%?|[\w$€£%][\w'\u2019.&/$%-]*|[,;:()\u2014\u2013]|[.!?]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


def tokens(text: str) -> list[Token]:
    """Words, quote marks and punctuation; a full stop is its own token unless it belongs to an abbreviation."""
    found = []
    for match in TOKEN.finditer(text):
        word, start, end = match.group(0), match.start(), match.end()
        if len(word) > 1 and word.endswith(".") and not _abbreviation(word):
            found.extend([Token(word.rstrip("."), start, end - 1), Token(".", end - 1, end)])
        else:
            found.append(Token(word, start, end))
    return found


def _abbreviation(word: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+", word)) or word.rstrip(".").lower() in ABBREVIATIONS
