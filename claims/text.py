"""Text rules shared by the models, the extractor and the commands; no Django settings needed, so the
extractor and its benchmark use them without a database."""

import re
import unicodedata
from collections.abc import Iterable, Mapping

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
