"""Quality and cost of reading articles from saved pages (``claims.intake.articles.read_article``).

    python -m bench.article_text

No database and no network. It reads the 176 saved news pages of scrapinghub's article-extraction-benchmark
(MIT; kept outside the project, in ``ARTICLE_PAGES``, else ``../shared/data/article-pages`` beside the checkout
or ``/work/shared/data/article-pages``) and the twelve of them annotated with their true publication date, title
and publisher (``ANNOTATED_ARTICLES``, else ``articles`` beside the pages).

Figures:
- text F1, the benchmark's own measure (its ``evaluate.py``): each text is cut into words (``\\w+``), the words
  into overlapping shingles of four; per page, true positives, false positives and false negatives are counted
  over the shingles (with repeats) and divided by their sum; precision and recall are averaged over the pages,
  and F1 is the harmonic mean of the two averages. Target: >= 0.95.
- word F1: the same with single words instead of shingles, and the mean of each page's own F1, for reference.
- date, title and publisher accuracy on the annotated pages: the date equal to the annotated one (target:
  right on >= 90 % of the pages that state one); the title and the publisher equal ignoring case, spacing
  and the form of quotation marks.
- CPU time to read the page whose article is nearest 1,000 words (median of repeated runs), and for all pages.
"""

import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.common import print_table, save_results, shared
from claims.intake.articles import read_article
from claims.intake.extraction import extract

TARGETS = {"text F1 (4-word shingles)": 0.95, "date accuracy": 0.9}
WORD = re.compile(r"\w+")
SHINGLE = 4
REPEATS = 20
QUOTES = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")  # typographic quotation marks as plain ones


PAGES = shared("ARTICLE_PAGES", "data", "article-pages")
ANNOTATED = Path(os.environ.get("ANNOTATED_ARTICLES") or PAGES.parent / "articles")


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives of one page, as shares of their sum."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == self.fp == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == self.fn == 0 else self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def grams(text: str, size: int) -> Counter:
    words = WORD.findall(text or "")
    return Counter(tuple(words[start : start + size]) for start in range(max(1, len(words) - size + 1)) if words)


def counts(true: str, found: str, size: int) -> Counts:
    wanted, got = grams(true, size), grams(found, size)
    tp = sum((wanted & got).values())
    fp = sum((got - wanted).values())
    fn = sum((wanted - got).values())
    total = tp + fp + fn
    return Counts(tp / total, fp / total, fn / total) if total else Counts(0.0, 0.0, 0.0)


def benchmark_f1(pages: list[Counts]) -> tuple[float, float, float]:
    """Precision and recall averaged over the pages that have any, and their harmonic mean (evaluate.py)."""
    precision = statistics.mean(page.precision for page in pages if page.tp + page.fp > 0)
    recall = statistics.mean(page.recall for page in pages if page.tp + page.fn > 0)
    return precision, recall, 2 * precision * recall / (precision + recall)


def page_html(page_id: str) -> bytes:
    return gzip.decompress((PAGES / "html" / f"{page_id}.html.gz").read_bytes())


def same_text(a: str, b: str) -> bool:
    def plain(text: str) -> str:
        text = text.translate(QUOTES)
        return " ".join(text.casefold().split())

    return plain(a) == plain(b)


def measure_text(truth: dict) -> tuple[list[Counts], list[Counts], float, list[tuple[str, Counts]]]:
    shingled, single, worst = [], [], []
    started = time.process_time()
    for page_id, expected in truth.items():
        article = read_article(page_html(page_id), url=expected["url"])
        shingled.append(counts(expected["articleBody"], article.text, SHINGLE))
        single.append(counts(expected["articleBody"], article.text, 1))
        worst.append((page_id, shingled[-1]))
    worst.sort(key=lambda item: item[1].f1)
    return shingled, single, time.process_time() - started, worst[:5]


def measure_metadata() -> tuple[dict[str, float], list[str]]:
    right = Counter()
    dated = 0
    wrong = []
    metas = sorted(ANNOTATED.glob("*.meta.json"))
    for path in metas:
        meta = json.loads(path.read_text(encoding="utf-8"))
        article = read_article(page_html(meta["id"]), url=meta["url"])
        name = path.name.removesuffix(".meta.json")
        if meta.get("published_on"):
            dated += 1
            found = article.published_on.isoformat() if article.published_on else None
            right["date"] += found == meta["published_on"]
            if found != meta["published_on"]:
                wrong.append(f"{name}: date {found}, annotated {meta['published_on']} ({article.date_basis})")
        for field in ("title", "publisher"):
            ok = same_text(getattr(article, field), meta[field])
            right[field] += ok
            if not ok:
                wrong.append(f"{name}: {field} {getattr(article, field)!r}, annotated {meta[field]!r}")
    figures = {
        "date accuracy": right["date"] / dated if dated else 0.0,
        "title accuracy": right["title"] / len(metas),
        "publisher accuracy": right["publisher"] / len(metas),
    }
    return figures, wrong


def cpu_per_article(truth: dict, words: int = 1000) -> tuple[str, int, float, float]:
    """The median CPU seconds of reading the page whose article is nearest ``words`` words long, and of going
    from that saved page to its ranked candidate claims (reading, then ``extract``)."""
    page_id = min(truth, key=lambda key: (abs(len(truth[key]["articleBody"].split()) - words), key))
    html, url = page_html(page_id), truth[page_id]["url"]
    reading, proposing = [], []
    for _ in range(REPEATS):
        started = time.process_time()
        article = read_article(html, url=url)
        read = time.process_time()
        extract(article.text, published_on=article.published_on, publisher=article.publisher)
        reading.append(read - started)
        proposing.append(time.process_time() - started)
    words = len(truth[page_id]["articleBody"].split())
    return page_id, words, statistics.median(reading), statistics.median(proposing)


def verdict(name: str, value: float) -> str:
    target = TARGETS.get(name)
    if target is None:
        return f"{value:.3f}"
    return f"{value:.3f}  target >= {target:.2f}  {'ok' if value >= target else 'MISSED'}"


def main() -> None:
    if not (PAGES / "ground-truth.json").is_file():
        sys.exit(f"The saved pages are read from {PAGES}, which is absent; set ARTICLE_PAGES.")
    truth = json.loads((PAGES / "ground-truth.json").read_text(encoding="utf-8"))
    shingled, single, seconds, worst = measure_text(truth)
    precision, recall, f1 = benchmark_f1(shingled)
    *_, word_f1 = benchmark_f1(single)
    figures = {
        "text F1 (4-word shingles)": f1,
        "text precision": precision,
        "text recall": recall,
        "mean of each page's F1": statistics.mean(page.f1 for page in shingled),
        "word F1 (single words)": word_f1,
    }
    metadata, wrong = measure_metadata() if ANNOTATED.is_dir() else ({}, [])
    figures |= metadata
    page_id, words, cpu, to_candidates = cpu_per_article(truth)
    save_results(
        {
            **{"article_" + re.sub(r"\W+", "_", name).strip("_"): round(value, 4) for name, value in figures.items()},
            "article_cpu_ms_per_1000_words": round(cpu * 1000, 1),
            "article_to_candidates_cpu_ms": round(to_candidates * 1000, 1),
        }
    )
    rows = [(name, verdict(name, value)) for name, value in figures.items()]
    rows += [
        (f"CPU per article ({words} words)", f"{cpu * 1000:.0f} ms (page {page_id[:12]}, median of {REPEATS})"),
        (f"CPU from saved page to ranked candidates ({words} words)", f"{to_candidates * 1000:.0f} ms"),
        (f"CPU for all {len(truth)} pages", f"{seconds:.1f} s"),
    ]
    print_table(f"Article text from {len(truth)} saved pages; metadata from {ANNOTATED.name}", rows)
    print("\nLowest text F1:")
    for key, page in worst:
        print(f"  - {key[:12]} {truth[key]['url'][:70]}: precision {page.precision:.2f}, recall {page.recall:.2f}")
    print(f"\nMetadata not as annotated: {len(wrong) or 'none'}")
    for line in wrong:
        print(f"  - {line}")
    if not all(figures.get(name, 0) >= target for name, target in TARGETS.items()):
        sys.exit(1)


if __name__ == "__main__":
    main()
