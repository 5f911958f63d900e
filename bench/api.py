"""Benchmark of the claim API on PostgreSQL at a given size, against a plain Django view in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck python -m bench.api --claims 1000000

Measures, with the app under gunicorn on loopback:
- throughput of the public claim list (cursor pagination, 50 a page, concurrent clients) against
  a plain view returning the same pages from .values() as JSON (bench/urls.py);
- latency of the first page and of page 10,000 by cursor;
- p50 and p95 latency of full-text searches (q), top 50;
- the number of SQL queries per request (in-process, Django's test client).
Prints a table with the ratios and merges the figures into bench-results.json.
"""

import argparse
import base64
import os
import random
import re
import urllib.parse
from collections import Counter

from bench.common import (
    gunicorn,
    latencies_ms,
    percentile,
    prepare_database,
    print_table,
    request_queries,
    save_results,
    throughput,
)

PAGE_SIZE = 50
DEEP_PAGE = 10_000


def cursor(position: int) -> str:
    """DRF's cursor for the page after the claim with id ``position`` (newest first)."""
    return base64.b64encode(urllib.parse.urlencode({"p": position}).encode()).decode()


def api_page(position: int | None, page_size: int = PAGE_SIZE) -> str:
    token = urllib.parse.quote(cursor(position)) if position else ""
    return f"/api/v1/claims/?cursor={token}&page_size={page_size}"


def baseline_page(position: int | None) -> str:
    before = f"&before={position}" if position else ""
    return f"/bench/claims-values/?page_size={PAGE_SIZE}{before}"


def public_ids(conn, sample: int) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM claims_claim TABLESAMPLE SYSTEM (5) REPEATABLE (1) WHERE status = 'published' LIMIT %s",
        [sample],
    ).fetchall()
    return [row[0] for row in rows]


def deep_page_position(conn) -> tuple[int, int]:
    """The cursor position before page 10,000 (or the deepest page there is) and that page's number."""
    public = conn.execute("SELECT count(*) FROM claims_claim WHERE status = 'published'").fetchone()[0]
    page = min(DEEP_PAGE, max(public // PAGE_SIZE, 2))
    offset = (page - 1) * PAGE_SIZE - 1
    position = conn.execute(
        "SELECT id FROM claims_claim WHERE status = 'published' ORDER BY id DESC OFFSET %s LIMIT 1", [offset]
    ).fetchone()[0]
    return position, page


def search_terms(conn, count: int = 24) -> list[str]:
    """Words of the corpus from common to rare, and a few two-word searches, found in a sample of claims."""
    texts = conn.execute("SELECT text FROM claims_claim TABLESAMPLE SYSTEM (1) REPEATABLE (1) LIMIT 2000").fetchall()
    words = Counter(w for (text,) in texts for w in set(re.findall(r"[a-z]{5,}", text.lower())))
    ranked = [word for word, _ in words.most_common()]
    picks = [ranked[int(i * (len(ranked) - 1) / (count - 1))] for i in range(count)]
    rng = random.Random(1)
    return picks + [f"{rng.choice(ranked[:50])} {rng.choice(ranked[:200])}" for _ in range(count // 4)]


def in_process(database_url: str, position: int, terms: list[str]) -> dict[str, float]:
    """SQL queries per request, and the database's share of a search, measured in-process."""
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    search_sql_ms = [
        sum(float(query["time"]) for query in request_queries(search_page(term))) * 1000
        for term in terms
        for _ in range(3)
    ]
    return {
        "queries_cursor_page_5": len(request_queries(api_page(position, 5))),
        "queries_cursor_page_100": len(request_queries(api_page(position, 100))),
        "queries_numbered_page_50": len(request_queries(f"/api/v1/claims/?page=2&page_size={PAGE_SIZE}")),
        "queries_search_page_50": len(request_queries(search_page("minister"))),
        "queries_detail": len(request_queries(f"/api/v1/claims/{position}/")),
        "search_sql_p50_ms": round(percentile(search_sql_ms, 0.5), 2),
        "search_sql_p95_ms": round(percentile(search_sql_ms, 0.95), 2),
    }


def search_page(term: str, ordering: str = "") -> str:
    order = f"&ordering={ordering}" if ordering else "&cursor="
    return f"/api/v1/claims/?q={urllib.parse.quote(term)}{order}&page_size={PAGE_SIZE}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, required=True, help="size of the synthetic corpus")
    parser.add_argument("--seconds", type=float, default=15, help="duration of each throughput run")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients in throughput runs")
    args = parser.parse_args()

    import psycopg

    database_url = prepare_database(args.claims)
    with psycopg.connect(database_url) as conn:
        positions = public_ids(conn, 400)
        deep_position, deep_page = deep_page_position(conn)
        terms = search_terms(conn)

    with gunicorn(database_url) as port:
        api_paths = [api_page(p) for p in positions]
        baseline_paths = [baseline_page(p) for p in positions]
        latencies_ms(port, api_paths[:20] + baseline_paths[:20])  # warm both workers and caches
        # Alternate the two, twice, so that drift on a noisy machine falls on both alike.
        runs = {"api": [], "baseline": []}
        for _ in range(2):
            for name, paths in (("api", api_paths), ("baseline", baseline_paths)):
                runs[name].append(throughput(port, paths, seconds=args.seconds / 2, concurrency=args.concurrency))
        api_rps = sum(r["requests_per_second"] for r in runs["api"]) / 2
        baseline_rps = sum(r["requests_per_second"] for r in runs["baseline"]) / 2
        errors = sum(r["errors"] for rs in runs.values() for r in rs)

        first, deep = [], []
        for _ in range(40):
            first += latencies_ms(port, [api_page(None)])
            deep += latencies_ms(port, [api_page(deep_position)])
        search = latencies_ms(port, [search_page(term) for term in terms], repeat=4)
        ranked = latencies_ms(port, [search_page(term, "-rank") for term in terms])

    measured = in_process(database_url, positions[0], terms)
    counts = {name: value for name, value in measured.items() if name.startswith("queries_")}
    first_ms, deep_ms = percentile(first, 0.5), percentile(deep, 0.5)
    figures = {
        "api_claims": args.claims,
        "api_list_requests_per_second": round(api_rps, 1),
        "api_list_baseline_requests_per_second": round(baseline_rps, 1),
        "api_list_throughput_ratio": round(api_rps / baseline_rps, 3),
        "api_list_errors": errors,
        "api_cursor_first_page_p50_ms": round(first_ms, 2),
        "api_cursor_deep_page": deep_page,
        "api_cursor_deep_page_p50_ms": round(deep_ms, 2),
        "api_cursor_deep_to_first_ratio": round(deep_ms / first_ms, 3),
        "api_search_p50_ms": round(percentile(search, 0.5), 2),
        "api_search_p95_ms": round(percentile(search, 0.95), 2),
        "api_search_ranked_p50_ms": round(percentile(ranked, 0.5), 2),
        "api_search_ranked_p95_ms": round(percentile(ranked, 0.95), 2),
        **{f"api_{name}": value for name, value in measured.items()},
    }
    save_results(figures)
    print_table(
        f"Claim API at {args.claims:,} claims ({args.concurrency} clients, gunicorn 2 workers, PostgreSQL)",
        [
            ("list, cursor, 50/page: API req/s", f"{api_rps:8.1f}"),
            ("list, same pages from .values(): req/s", f"{baseline_rps:8.1f}"),
            ("  API / baseline (target >= 0.60)", f"{api_rps / baseline_rps:8.3f}"),
            ("  errors", f"{errors:8d}"),
            ("cursor page 1, p50 ms", f"{first_ms:8.2f}"),
            (f"cursor page {deep_page:,}, p50 ms", f"{deep_ms:8.2f}"),
            ("  deep / first (target <= 2)", f"{deep_ms / first_ms:8.3f}"),
            (
                f"q search newest first, {len(search)} requests: p50 ms (target < 10)",
                f"{figures['api_search_p50_ms']:8.2f}",
            ),
            ("  p95 ms", f"{figures['api_search_p95_ms']:8.2f}"),
            ("  of which SQL (in-process): p50 ms", f"{measured['search_sql_p50_ms']:8.2f}"),
            ("  of which SQL: p95 ms", f"{measured['search_sql_p95_ms']:8.2f}"),
            ("q search ranked: p50 ms", f"{figures['api_search_ranked_p50_ms']:8.2f}"),
            ("  p95 ms", f"{figures['api_search_ranked_p95_ms']:8.2f}"),
            *((f"queries: {name.removeprefix('queries_')}", f"{value:8d}") for name, value in counts.items()),
        ],
    )


if __name__ == "__main__":
    main()
