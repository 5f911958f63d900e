"""Benchmark of similar-claim lookup ("already checked?") on PostgreSQL, against the claim detail in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck python -m bench.similar --claims 1000000

Measures, with the app under gunicorn on loopback, one request at a time, as an anonymous caller:
- p50 and p95 latency of GET /api/v1/claims/similar/?text= for published claims' texts with a small
  edit (a figure changed, a word dropped, words swapped, the end cut), and for unrelated texts;
- the same for GET /api/v1/claims/{id}/similar/;
- the baseline: GET /api/v1/claims/{id}/ of the same claims, alternated with the lookups;
- how often the edited claim's original comes first, and is among the ten answered;
- in-process: the SQL time of a text lookup, and the queries each request runs.
Prints a table with the ratios and merges the figures into bench-results.json.
"""

import argparse
import json
import os
import random
import re
import urllib.parse

import psycopg

from bench.common import (
    get,
    gunicorn,
    latencies_ms,
    percentile,
    prepare_database,
    print_table,
    request_queries,
    save_results,
)

# Statements from outside the synthetic corpus (the seed article's subject, and others): what a
# lookup that finds nothing costs.
UNRELATED = (
    "Mike Pompeo called Russia an undesired foreign presence in Venezuela.",
    "Russia has besieged Venezuela, the Secretary of State said on Friday.",
    "The vaccine was tested on fewer than a hundred volunteers before approval.",
    "Our team won the championship three times in the last decade.",
    "The new smartphone battery lasts two full days on a single charge.",
    "Scientists discovered water ice in craters near the lunar south pole.",
    "The senator voted against the infrastructure bill twice last year.",
    "Coffee consumption lowers the risk of heart disease, a study found.",
    "The company laid off a third of its workforce after the merger.",
    "Wildfires burned more land this summer than in any year on record.",
    "The museum returned the stolen paintings to their original owners.",
    "Chess was invented in India more than fifteen hundred years ago.",
)
LIMIT = 10


def edited(text: str, rng: random.Random) -> str:
    """The text with one small edit, as a claim repeated by someone else would differ."""
    words = text.split()
    edit = rng.randrange(4)
    numbers = [index for index, word in enumerate(words) if re.search(r"\d", word)]
    if edit == 0 and numbers:
        index = rng.choice(numbers)
        words[index] = re.sub(r"\d", lambda digit: str((int(digit.group()) + 1) % 10), words[index], count=1)
    elif edit == 1:
        del words[rng.randrange(1, len(words))]
    elif edit == 2:
        index = rng.randrange(len(words) - 1)
        words[index], words[index + 1] = words[index + 1], words[index]
    else:
        words = words[: max(6, len(words) * 3 // 4)]
    return " ".join(words)


def sample_claims(conn, count: int) -> list[tuple[int, str]]:
    return conn.execute(
        "SELECT id, text FROM claims_claim TABLESAMPLE SYSTEM (1) REPEATABLE (2) WHERE status = 'published' LIMIT %s",
        [count],
    ).fetchall()


def similar_path(text: str) -> str:
    return f"/api/v1/claims/similar/?text={urllib.parse.quote(text)}&limit={LIMIT}"


def in_process(database_url: str, claim_id: int, texts: list[str]) -> dict[str, float]:
    """SQL queries per request, and the database's share of a text lookup, measured in-process."""
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    sql_ms = [sum(float(query["time"]) for query in request_queries(similar_path(text))) * 1000 for text in texts]
    return {
        "queries_text": len(request_queries(similar_path(texts[0]))),
        "queries_claim": len(request_queries(f"/api/v1/claims/{claim_id}/similar/?limit={LIMIT}")),
        "sql_p50_ms": round(percentile(sql_ms, 0.5), 2),
        "sql_p95_ms": round(percentile(sql_ms, 0.95), 2),
    }


def found_ranks(port: int, originals: list[tuple[int, str]], texts: list[str]) -> list[int | None]:
    """Where each original claim is among the answers to its edited text (0 is first), or None."""
    ranks = []
    for (claim_id, _), text in zip(originals, texts, strict=True):
        _, body = get(port, similar_path(text))
        answered = [row["id"] for row in json.loads(body)["results"]]
        ranks.append(answered.index(claim_id) if claim_id in answered else None)
    return ranks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, required=True, help="size of the synthetic corpus")
    parser.add_argument("--sample", type=int, default=100, help="published claims whose texts are looked up, edited")
    args = parser.parse_args()

    database_url = prepare_database(args.claims)
    with psycopg.connect(database_url) as conn:
        originals = sample_claims(conn, args.sample)
    rng = random.Random(1)
    near_texts = [edited(text, rng) for _, text in originals]

    with gunicorn(database_url) as port:
        detail_paths = [f"/api/v1/claims/{claim_id}/" for claim_id, _ in originals]
        claim_paths = [f"/api/v1/claims/{claim_id}/similar/?limit={LIMIT}" for claim_id, _ in originals]
        near_paths = [similar_path(text) for text in near_texts]
        unrelated_paths = [similar_path(text) for text in UNRELATED]
        latencies_ms(port, detail_paths[:10] + near_paths[:10])  # warm both workers and caches
        runs = {"baseline": [], "near": [], "claim": [], "unrelated": []}
        # Alternated, twice, so that drift on a noisy machine falls on all alike.
        for _ in range(2):
            for name, paths in (
                ("baseline", detail_paths),
                ("near", near_paths),
                ("claim", claim_paths),
                ("unrelated", unrelated_paths),
            ):
                runs[name] += latencies_ms(port, paths)
        ranks = found_ranks(port, originals, near_texts)

    measured = in_process(database_url, originals[0][0], near_texts)
    lookups = runs["near"] + runs["claim"] + runs["unrelated"]
    p50 = {name: percentile(values, 0.5) for name, values in {**runs, "all": lookups}.items()}
    p95 = {name: percentile(values, 0.95) for name, values in {**runs, "all": lookups}.items()}
    first = sum(rank == 0 for rank in ranks) / len(ranks)
    top = sum(rank is not None for rank in ranks) / len(ranks)
    figures = {
        "similar_claims": args.claims,
        **{f"similar_{name}_p50_ms": round(value, 2) for name, value in p50.items()},
        **{f"similar_{name}_p95_ms": round(value, 2) for name, value in p95.items()},
        "similar_to_baseline_p50_ratio": round(p50["all"] / p50["baseline"], 3),
        "similar_original_first": round(first, 3),
        "similar_original_in_top_10": round(top, 3),
        **{f"similar_{name}": value for name, value in measured.items()},
    }
    save_results(figures)
    print_table(
        f"Similar claims at {args.claims:,} claims (gunicorn 2 workers, PostgreSQL, one request at a time)",
        [
            (f"claim detail (baseline), {len(runs['baseline'])} requests: p50 / p95 ms", _pair(p50, p95, "baseline")),
            (f"text: edited claims, {len(runs['near'])} requests: p50 / p95 ms", _pair(p50, p95, "near")),
            (f"text: unrelated, {len(runs['unrelated'])} requests: p50 / p95 ms", _pair(p50, p95, "unrelated")),
            (f"{{id}}/similar/, {len(runs['claim'])} requests: p50 / p95 ms", _pair(p50, p95, "claim")),
            ("all lookups: p50 / p95 ms (target p50 < 50)", _pair(p50, p95, "all")),
            ("  lookup / claim detail, p50", f"{p50['all'] / p50['baseline']:8.3f}"),
            (
                "  of which SQL, edited texts (in-process): p50 / p95 ms",
                f"{measured['sql_p50_ms']:8.2f} / {measured['sql_p95_ms']:.2f}",
            ),
            ("edited claim's original answered first", f"{first:8.1%}"),
            (f"  among the {LIMIT} answered", f"{top:8.1%}"),
            ("queries: text lookup", f"{measured['queries_text']:8d}"),
            ("queries: {id}/similar/", f"{measured['queries_claim']:8d}"),
        ],
    )


def _pair(p50: dict[str, float], p95: dict[str, float], name: str) -> str:
    return f"{p50[name]:8.2f} / {p95[name]:.2f}"


if __name__ == "__main__":
    main()
