"""Benchmark of the ClaimReview import on PostgreSQL, against a raw COPY of the same rows in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck python -m bench.imports --records 20000

It writes ``--records`` synthetic ClaimReview records to one JSON file: a fact-check each, by 20
publishers, about claims of records/5 speakers found in records/10 articles, rated with the
default scale's labels and with three that it does not know. Then, in each of two rounds, in a
freshly migrated database of the server of DATABASE_URL (``factcheck_bench_import``), each in a
process of its own:
- the baseline: read and parse the file, flatten each record to the values it carries, and
  ``COPY`` them into an unlogged table of those columns: the least work that still stores the rows;
- the import: ``claim_reviews_import`` of the same file, as ``import_claimreview`` runs it, with
  the history rows and the claims' generated full-text vectors;
- the same import again, where every record is already there.
The faster round counts. Prints records per second and their ratio to the baseline's, and merges
the figures into bench-results.json. Target: at least 2,000 records per second.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import psycopg

from bench.common import bench_database_url, manage, print_table, run_measurement, save_results

ROUNDS = 2
PUBLISHERS = 20
LABELS = (
    "False",
    "Mostly false",
    "Half true",
    "Mostly true",
    "True",
    "Misleading",
    "Falso",
    "Engañoso",
    "Pants on fire",
)
SUBJECTS = ("Unemployment", "Crime", "The deficit", "Inflation", "Hospital waiting time", "Rainfall", "Turnout")
VERBS = ("rose", "fell", "doubled", "halved", "stayed flat")
COLUMNS = (
    "url",
    "claim_text",
    "headline",
    "published_at",
    "language",
    "publisher_name",
    "publisher_url",
    "rating",
    "speaker",
    "speaker_role",
    "claim_date",
    "appearance_url",
    "appearance_title",
)


def synthetic_review(number: int, records: int) -> dict:
    speaker, article, publisher = number % max(records // 5, 1), number % max(records // 10, 1), number % PUBLISHERS
    subject, verb = SUBJECTS[number % len(SUBJECTS)], VERBS[number % len(VERBS)]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://checker{publisher}.example/fact-checks/{number}",
        "claimReviewed": f"{subject} {verb} by {number % 97 + 3} percent in district {number}",
        "headline": f"No, {subject.lower()} has not {verb} that much in district {number}",
        "datePublished": f"2024-{number % 12 + 1:02d}-{number % 28 + 1:02d}T10:{number % 60:02d}:00Z",
        "inLanguage": "en",
        "author": {
            "@type": "Organization",
            "name": f"Checker {publisher}",
            "url": f"https://checker{publisher}.example/",
        },
        "reviewRating": {"@type": "Rating", "alternateName": LABELS[number % len(LABELS)]},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": f"Speaker {speaker}", "jobTitle": "Councillor"},
            "datePublished": "2023-12-31",
            "appearance": {
                "@type": "CreativeWork",
                "url": f"https://news.example/articles/{article}",
                "headline": f"Council meeting report {article}",
            },
        },
    }


def flat_row(review: dict) -> tuple:
    item = review["itemReviewed"]
    return (
        review["url"],
        review["claimReviewed"],
        review["headline"],
        review["datePublished"],
        review["inLanguage"],
        review["author"]["name"],
        review["author"]["url"],
        review["reviewRating"]["alternateName"],
        item["author"]["name"],
        item["author"]["jobTitle"],
        item["datePublished"],
        item["appearance"]["url"],
        item["appearance"]["headline"],
    )


def measure(kind: str, path: str) -> dict:
    """Run in a child process against a fresh database: one measurement, returned as JSON on stdout."""
    if kind == "copy":
        return {"seconds": copy_rows(path)}
    import django

    django.setup()
    from claims.intake.claimreview.importing import claim_reviews_import
    from claims.intake.claimreview.reading import find_claim_reviews

    started = time.perf_counter()
    summary = claim_reviews_import(find_claim_reviews(Path(path).read_text(encoding="utf-8")))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "created": summary.created, "already": summary.already_imported}


def copy_rows(path: str) -> float:
    columns = ", ".join(f"{name} text" for name in COLUMNS)
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        conn.execute(f"CREATE UNLOGGED TABLE bench_claimreview_rows ({columns})")
        conn.commit()
        started = time.perf_counter()
        rows = [flat_row(review) for review in json.loads(Path(path).read_text(encoding="utf-8"))]
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY bench_claimreview_rows ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


def fresh_database() -> str:
    url = bench_database_url("import")
    parsed = urllib.parse.urlsplit(url)
    server = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "factcheck_bench_import"')
        conn.execute('CREATE DATABASE "factcheck_bench_import"')
    manage(url, "migrate", "--verbosity", "0")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000, help="ClaimReview records to import.")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one measurement, in a child process
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
        print(json.dumps(measure(args.measure, args.file)))
        return

    records = args.records
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "claimreview.json")
        Path(path).write_text(json.dumps([synthetic_review(number, records) for number in range(records)]))
        best: dict[str, float] = {}
        for _ in range(ROUNDS):
            url = fresh_database()
            for kind in ("copy", "import", "again"):
                result = run_measurement("bench.imports", url, "import" if kind == "again" else kind, "--file", path)
                print(f"{records:,} records, {kind}: {json.dumps(result)}", file=sys.stderr)
                best[kind] = min(best.get(kind, result["seconds"]), result["seconds"])
    copy_rate = records / best["copy"]
    rows = [(f"{records:,} ClaimReview records: raw COPY records/s", f"{copy_rate:,.0f}")]
    figures = {"import_copy_records_per_second": round(copy_rate)}
    for kind, meaning in (("import", "import"), ("again", "import again, all already there")):
        rate = records / best[kind]
        rows.append((f"  {meaning}: records/s (ratio to COPY)", f"{rate:,.0f} ({rate / copy_rate:.3f})"))
        figures[f"import_{kind}_records_per_second"] = round(rate)
        figures[f"import_{kind}_ratio"] = round(rate / copy_rate, 4)
    print_table("ClaimReview import (PostgreSQL; target: import >= 2,000 records/s)", rows)
    save_results(figures)


if __name__ == "__main__":
    main()
