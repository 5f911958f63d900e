"""Text rules shared by the models, the extractor and the commands; no Django settings needed, so the
extractor and its benchmark use them without a database."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping

from django.utils.text import slugify

_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-", "\u2013": "-"})


def quote_key(text: str) -> str:
    """Text reduced to what a verbatim quote must share with its source.

    Copy-and-paste changes typographic quotes, dashes, line breaks and the case of the first letter
    of a quote; none of that makes a quote less verbatim.
    """
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    return re.sub(r"\s+", " ", text).strip().casefold()


def field_problems(errors: Mapping[str, Iterable[str]]) -> str:
    """Validation errors by field on one line: ``headline: Ensure this value ...; url: Enter a valid URL.``"""
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())


def ascii_slug(text: str, *, max_length: int) -> str:
    """A slug for ``text`` that keeps different texts apart: accents are dropped ("Várias" is "varias"), and a text
    with letters that have no ASCII form ("Søren", "錯誤", "आवाज़") is told apart by a digest of it."""
    slug = slugify(text)[:max_length].strip("-")
    decomposed = unicodedata.normalize("NFKD", text)
    lossy = any(not c.isascii() and c.isalnum() for c in decomposed if unicodedata.category(c) != "Mn")
    if slug and not lossy:
        return slug
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    return f"{slug[: max_length - 11]}-{digest}".lstrip("-")
