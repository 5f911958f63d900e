"""Benchmark of the verdict exports and the report page on PostgreSQL, against a raw COPY in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck python -m bench.export --verdicts 1000000

For ``--verdicts N`` current published fact-checks (and for ``--small`` of them, 10,000 by
default) it fills or reuses a benchmark database, then measures, each in a fresh process so that
its peak memory is its own:
- ``COPY (the export's query) TO STDOUT WITH CSV`` through psycopg: the baseline;
- each export (CSV, JSON, ClaimReview) requested through Django, its whole stream read (the API hands a
  selection above EXPORT_INLINE_MAX_ROWS to a job, which writes this same stream to a file; here it is
  read in the request, so that the figures compare with those from before jobs);
- the report page for all fact-checks, and its numbers alone (``VerdictReport.of``) as it counts them, from
  the summary of current fact-checks, against the same numbers counted from the verdicts joined with their
  claims, as it counted them before the summary (``--report-only`` measures these alone).
Each is run twice, alternating, and the faster run counts. Prints rows per second as a ratio of
the baseline's, peak memory (resident set) of each process, and merges the figures into
bench-results.json.
"""

import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

from bench.common import prepare_database, print_table, run_measurement, save_results

# generate_demo publishes 11 claims in every 20 (claims/intake/demo.py).
PUBLISHED_PER_20_CLAIMS = 11
EXPORTS = {"csv": "verdicts.csv", "json": "verdicts.json", "claimreview": "claimreview.json"}
ROUNDS = 2
REPORT_RENDERS = 5
REPORT_NUMBERS = ("report_numbers", "report_numbers_from_verdicts")


def claims_for(verdicts: int) -> int:
    return math.ceil(verdicts / PUBLISHED_PER_20_CLAIMS) * 20


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measure(kind: str) -> dict:
    """Run in a child process: one measurement, returned as JSON on stdout."""
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client

    from claims.outputs.columns import table_rows
    from claims.selection import chosen_verdicts

    if kind == "idle":
        return {"memory_mb": peak_memory_mb()}
    if kind == "copy":
        verdicts = chosen_verdicts(user=AnonymousUser(), params=QueryDict())
        sql, params = table_rows(verdicts, for_spreadsheet=False).query.sql_with_params()
        rows = size = 0
        connection.ensure_connection()
        started = time.perf_counter()
        with connection.connection.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV", params) as copy:
            for data in copy:
                rows += 1
                size += len(data)
        return {"seconds": time.perf_counter() - started, "rows": rows, "bytes": size, "memory_mb": peak_memory_mb()}
    if kind in REPORT_NUMBERS:
        from claims.outputs.report import VerdictReport
        from claims.selection import chosen_for_report

        choose = {"report_numbers": chosen_for_report, "report_numbers_from_verdicts": chosen_verdicts}[kind]
        VerdictReport.of(choose(user=AnonymousUser(), params=QueryDict()))  # warm: the rating scale read
        timings = []
        for _ in range(REPORT_RENDERS):
            started = time.perf_counter()
            VerdictReport.of(choose(user=AnonymousUser(), params=QueryDict()))
            timings.append(time.perf_counter() - started)
        return {"seconds": statistics.median(timings), "memory_mb": peak_memory_mb()}
    client = Client()
    if kind == "report":
        client.get("/reports/verdicts/")  # warm: templates compiled, rating scale read
        timings = []
        for _ in range(REPORT_RENDERS):
            started = time.perf_counter()
            response = client.get("/reports/verdicts/")
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        return {"seconds": statistics.median(timings), "memory_mb": peak_memory_mb()}
    started = time.perf_counter()
    response = client.get(f"/api/v1/exports/{EXPORTS[kind]}")
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    return {"seconds": time.perf_counter() - started, "bytes": size, "memory_mb": peak_memory_mb()}


def bench_size(verdicts: int, *, report_only: bool) -> dict:
    url = prepare_database(claims_for(verdicts))
    best: dict[str, dict] = {}
    kinds = ("report", *REPORT_NUMBERS) if report_only else ("copy", *EXPORTS, "report", *REPORT_NUMBERS, "idle")
    for _ in range(ROUNDS):
        for kind in kinds:
            result = run_measurement("bench.export", url, kind)
            print(f"{verdicts:,} fact-checks, {kind}: {json.dumps(result)}", file=sys.stderr)
            kept = best.setdefault(kind, result)
            if result.get("seconds", 0) < kept.get("seconds", 0):
                best[kind] = {**result, "memory_mb": max(result["memory_mb"], kept["memory_mb"])}
            else:
                kept["memory_mb"] = max(result["memory_mb"], kept["memory_mb"])
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verdicts", type=int, default=1_000_000, help="Published fact-checks in the large run.")
    parser.add_argument("--small", type=int, default=10_000, help="Published fact-checks in the small run.")
    parser.add_argument("--report-only", action="store_true", help="Measure the report alone, not the exports.")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one measurement, in a child process
    args = parser.parse_args()
    if args.measure:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
        os.environ.setdefault("EXPORT_INLINE_MAX_ROWS", str(10**12))  # every export streamed, however large
        print(json.dumps(measure(args.measure)))
        return

    runs = {size: bench_size(size, report_only=args.report_only) for size in (args.small, args.verdicts)}
    rows, figures = [], {}
    for size, best in runs.items():
        rows.append(
            (f"{size:,} fact-checks: report page, median of 5 renders, ms", f"{best['report']['seconds'] * 1000:.0f}")
        )
        figures[f"report_ms_{size}"] = round(best["report"]["seconds"] * 1000, 1)
        summary, joined = (best[kind]["seconds"] * 1000 for kind in REPORT_NUMBERS)
        rows.append(
            (
                "  its numbers, ms: from the summary / from verdicts and claims (ratio)",
                f"{summary:.0f} / {joined:.0f} ({summary / joined:.2f})",
            )
        )
        figures[f"report_numbers_ms_{size}"] = round(summary, 1)
        figures[f"report_numbers_from_verdicts_ms_{size}"] = round(joined, 1)
        if args.report_only:
            continue
        copied = best["copy"]["rows"]
        copy_rate = copied / best["copy"]["seconds"]
        rows.append((f"{copied:,} fact-checks: raw COPY rows/s", f"{copy_rate:,.0f}"))
        for kind in EXPORTS:
            rate = copied / best[kind]["seconds"]
            rows.append((f"  {kind} export rows/s (ratio to COPY)", f"{rate:,.0f} ({rate / copy_rate:.2f})"))
            figures[f"export_{kind}_ratio_{size}"] = round(rate / copy_rate, 3)
        for kind in ("idle", "copy", *EXPORTS):
            rows.append((f"  peak memory MB: {kind}", f"{best[kind]['memory_mb']:.0f}"))
            figures[f"export_{kind}_memory_mb_{size}"] = round(best[kind]["memory_mb"], 1)
    print_table(
        "Verdict report and exports (PostgreSQL, in-process through Django; targets: report < 1 s, "
        "csv >= 0.8, claimreview >= 0.25)",
        rows,
    )
    save_results(figures)


if __name__ == "__main__":
    main()
