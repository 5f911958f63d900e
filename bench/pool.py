"""Benchmark of database connections under gunicorn's threads: psycopg's pool against no pool, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck python -m bench.pool --claims 20000

With the app under gunicorn (gunicorn.conf.py: --workers processes of --threads threads) on loopback,
--concurrency clients read a small API list (10 claims a page, by cursor) for --seconds in each of:
- pool: DATABASE_POOL_MAX_SIZE=--threads, a pool per worker that its threads borrow from;
- half pool: the same with half as many connections as threads;
- persistent: no pool, CONN_MAX_AGE=60, each thread keeping a connection of its own (the default);
- per request: no pool, CONN_MAX_AGE=0, a new connection for every request.
Each runs twice, alternated, so that drift on a noisy machine falls on all alike. Prints requests per
second and the connections the server had open at the end of each run, with the pool's ratio against the
other two, and merges the figures into bench-results.json.
"""

import argparse

import psycopg

from bench.api import api_page, public_ids
from bench.common import gunicorn, latencies_ms, prepare_database, print_table, save_results, throughput

PAGE_SIZE = 10


def open_connections(database_url: str) -> int:
    """Client connections to the benchmark database other than this one."""
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=20_000, help="size of the synthetic corpus")
    parser.add_argument("--seconds", type=float, default=20, help="duration of each configuration's run, in all")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    args = parser.parse_args()

    database_url = prepare_database(args.claims)
    with psycopg.connect(database_url) as conn:
        paths = [api_page(position, PAGE_SIZE) for position in public_ids(conn, 400)]
    half = max(args.threads // 2, 1)
    configurations = {
        "pool": {"DATABASE_POOL_MAX_SIZE": str(args.threads), "DATABASE_POOL_MIN_SIZE": "1"},
        "half pool": {"DATABASE_POOL_MAX_SIZE": str(half), "DATABASE_POOL_MIN_SIZE": "1"},
        "persistent": {"CONN_MAX_AGE": "60"},
        "per request": {"CONN_MAX_AGE": "0"},
    }
    rates = {name: [] for name in configurations}
    connections = dict.fromkeys(configurations, 0)
    errors = 0
    for _ in range(2):
        for name, env in configurations.items():
            with gunicorn(database_url, workers=args.workers, threads=args.threads, env=env) as port:
                latencies_ms(port, paths[:20])  # warm the workers
                run = throughput(port, paths, seconds=args.seconds / 2, concurrency=args.concurrency)
                connections[name] = max(connections[name], open_connections(database_url))
            rates[name].append(run["requests_per_second"])
            errors += run["errors"]
    rps = {name: sum(runs) / len(runs) for name, runs in rates.items()}
    figures = {
        "pool_claims": args.claims,
        "pool_requests_per_second": round(rps["pool"], 1),
        "pool_persistent_requests_per_second": round(rps["persistent"], 1),
        "pool_half_requests_per_second": round(rps["half pool"], 1),
        "pool_per_request_requests_per_second": round(rps["per request"], 1),
        "pool_to_persistent_ratio": round(rps["pool"] / rps["persistent"], 3),
        "pool_to_per_request_ratio": round(rps["pool"] / rps["per request"], 3),
        "pool_half_to_persistent_ratio": round(rps["half pool"] / rps["persistent"], 3),
        "pool_connections": connections["pool"],
        "pool_half_connections": connections["half pool"],
        "pool_persistent_connections": connections["persistent"],
        "pool_errors": errors,
    }
    save_results(figures)
    print_table(
        f"Connections at {args.claims:,} claims: {args.workers} gthread workers x {args.threads} threads, "
        f"{args.concurrency} clients, claim list of {PAGE_SIZE}",
        [
            *((f"{name}: req/s", f"{rps[name]:8.1f}") for name in configurations),
            ("pool / persistent", f"{figures['pool_to_persistent_ratio']:8.3f}"),
            ("pool / per request", f"{figures['pool_to_per_request_ratio']:8.3f}"),
            ("half pool / persistent", f"{figures['pool_half_to_persistent_ratio']:8.3f}"),
            *((f"{name}: connections open at the end", f"{connections[name]:8d}") for name in configurations),
            ("errors", f"{errors:8d}"),
        ],
    )


if __name__ == "__main__":
    main()
