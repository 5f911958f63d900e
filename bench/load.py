"""Load test of the API on PostgreSQL: the public reading while reviewers and editors write, against each request alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck python -m bench.load --claims 1000000

With the app under gunicorn on loopback, locust (headless, in a process of its own: bench/locustfile.py)
runs two phases against the same server:
- alone: one user makes every kind of request in turn, one at a time: the baseline;
- under load: --users users for --seconds: anonymous readers (claim lists by cursor, filtered
  lists, full-text searches, claim details, similar-claim lookups, exports of one source's
  fact-checks) with reviewers (evidence, a correction of a published fact-check, a revision with
  If-Match, submission) and editors publishing what was submitted, all with a think time between
  requests.
It prints requests per second and p50/p95/p99 per kind of request, each p50 against the same
kind's alone, and the errors; then it checks that every write the server acknowledged is in the
database ("lost writes: 0", or the list). Exits non-zero on any error or lost write. Figures are
merged into bench-results.json.

gunicorn runs 4 sync workers: on 2 cores at 20,000 claims, with 50 users, three alternated runs
of 20 s each gave a list p50 of 1.6 / 2.1 / 3.2 times the alone one and a worst read p99 of 524 /
598 / 420 ms, against 5.2 / 6.9 / 3.3 and 827 / 1122 / 1027 ms for 2 workers x 8 threads (threads
of one process share its GIL, and most of a request is Python), 5.4 / 6.2 and 742 / 1068 ms for
3 sync workers (the Dockerfile's), 5.1 and 648 ms for 6 sync workers, 2.8 / 7.2 and 535 / 1087 ms
for 3 workers x 4 threads, 6.6 and 1578 ms for 4 workers x 2 threads.

The writes stay in the benchmark database, as corrections of published fact-checks: no claim
changes status, so the other benchmarks see the same corpus.
"""

import argparse
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import uuid
from collections import defaultdict
from pathlib import Path

import psycopg

from bench.api import api_page, public_ids, search_page, search_terms
from bench.common import ROOT, gunicorn, latencies_ms, percentile, prepare_database, print_table, save_results
from bench.similar import UNRELATED, edited, sample_claims, similar_path

# What the anonymous readers ask for, with how often; the Alone user asks for each in turn.
READ_WEIGHTS = {"list": 3, "filter": 2, "search": 2, "detail": 3, "similar": 1, "export": 1}
WRITE_KINDS = (
    "evidence add",
    "verdict draft",
    "verdict edit",
    "verdict submit",
    "verdict read (editor)",
    "verdict publish",
)
P99_TARGET_MS = 500  # for every read kind, at 1,000,000 claims
THINK_SECONDS = (0.5, 1.5)  # between two requests of one user
REVIEWER_SHARE, EDITOR_SHARE = 0.16, 0.08  # of the users; the others read
EXPORT_FILES = ("verdicts.csv", "verdicts.json", "claimreview.json")
STOP_SECONDS = 10  # for users to finish the round they are in when the time is up
PAGE = "&cursor=&page_size=50"


def read_paths(conn) -> dict[str, list[str]]:
    """Paths of each read kind, drawn from the corpus; every filter keeps an answer bounded whatever its size."""
    rng = random.Random(1)
    positions = public_ids(conn, 400)
    originals = sample_claims(conn, 100)
    paths = {
        "list": [api_page(None)] + [api_page(position) for position in positions[::2]],
        "filter": filter_paths(conn, rng),
        "search": [search_page(term) for term in search_terms(conn)],
        "detail": [f"/api/v1/claims/{claim_id}/" for claim_id in positions[1::2]],
        "similar": [similar_path(edited(text, rng)) for _, text in originals] + [similar_path(t) for t in UNRELATED],
        # A source holds about 20 claims at any size (claims/intake/demo.py): an export of a realistic size.
        "export": [f"/api/v1/exports/{rng.choice(EXPORT_FILES)}?source={source}" for source in sources(conn, 100)],
    }
    for kind, kind_paths in paths.items():
        if not kind_paths:
            sys.exit(f"The corpus is too small for the load test: no {kind} request could be drawn from it.")
        rng.shuffle(kind_paths)
    return paths


def sources(conn, count: int) -> list[int]:
    rows = conn.execute(
        "SELECT DISTINCT source_id FROM claims_claim TABLESAMPLE SYSTEM (5) REPEATABLE (3)"
        " WHERE status = 'published' LIMIT %s",
        [count],
    ).fetchall()
    return [row[0] for row in rows]


def filter_paths(conn, rng: random.Random) -> list[str]:
    """Claim lists filtered as researchers filter them: by speaker, source, publisher, rating, topic or month."""
    sample = conn.execute(
        "SELECT c.speaker_id, c.source_id, s.publisher, c.claim_date"
        " FROM claims_claim c TABLESAMPLE SYSTEM (5) REPEATABLE (4) JOIN claims_source s ON s.id = c.source_id"
        " WHERE c.status = 'published' LIMIT 50"
    ).fetchall()
    ratings = [row[0] for row in conn.execute("SELECT slug FROM claims_rating WHERE value IS NOT NULL").fetchall()]
    topics = [row[0] for row in conn.execute("SELECT slug FROM claims_topic").fetchall()]
    paths = []
    for speaker, source, publisher, day in sample:
        month = day.replace(day=1)
        end = (month + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
        paths += [
            f"speaker={speaker}",
            f"source={source}",
            f"publisher={urllib.parse.quote(publisher)}",
            f"rating={rng.choice(ratings)}",
            f"topic={rng.choice(topics)}&rating={rng.choice(ratings)}",
            f"claim_date_after={month}&claim_date_before={end}",
        ]
    return [f"/api/v1/claims/?{query}{PAGE}" for query in paths]


def write_claims(conn, count: int) -> list[list[int]]:
    """Published claims with their current fact-check of ours, to correct: a different draw each run, each
    claim corrected once in a run."""
    rows = conn.execute(
        "SELECT c.id, c.current_verdict_id FROM claims_claim c JOIN claims_verdict v ON v.id = c.current_verdict_id"
        " WHERE c.status = 'published' AND v.publisher_name = '' ORDER BY random() LIMIT %s",
        [count],
    ).fetchall()
    return [[claim, verdict] for claim, verdict in rows]


def staff_accounts(database_url: str, reviewers: int, editors: int) -> dict[str, list[dict]]:
    """Users load-reviewer-N and load-editor-N in their roles, created if missing, each with one fresh token."""
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connections
    from knox.models import AuthToken

    accounts = {}
    for role, count in (("reviewer", reviewers), ("editor", editors)):
        group = Group.objects.get(name=role)
        accounts[role] = []
        for number in range(1, count + 1):
            user, _ = get_user_model().objects.get_or_create(
                username=f"load-{role}-{number}", defaults={"is_staff": True, "password": make_password(None)}
            )
            user.groups.add(group)
            AuthToken.objects.filter(user=user).delete()  # an earlier run's
            _, token = AuthToken.objects.create(user=user, expiry=datetime.timedelta(hours=6))
            accounts[role].append({"username": user.username, "token": token})
    connections.close_all()
    return accounts


def run_locust(workdir: Path, port: int, config: dict, users: int, seconds: int, classes: list[str]) -> dict:
    """Run one phase under locust; the requests it made and the writes acknowledged, with its length in seconds."""
    workdir.mkdir()
    config = {**config, "acks": str(workdir / "acks.jsonl"), "requests": str(workdir / "requests.jsonl")}
    (workdir / "config.json").write_text(json.dumps(config))
    command = [sys.executable, "-m", "locust", "-f", "bench/locustfile.py", "--headless"]
    command += ["--host", f"http://127.0.0.1:{port}", "--users", str(users), "--spawn-rate", str(users)]
    command += ["--run-time", f"{seconds}s", "--stop-timeout", str(STOP_SECONDS), "--only-summary"]
    command += ["--exit-code-on-error", "0", "--loglevel", "WARNING", *classes]
    env = {**os.environ, "LOAD_CONFIG": str(workdir / "config.json")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = workdir / "locust.log"
    with log.open("w") as output:
        try:
            subprocess.run(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, timeout=seconds + STOP_SECONDS + 60
            ).check_returncode()
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            sys.exit(f"locust failed ({error}); its output:\n{log.read_text()[-3000:]}")
    requests = [json.loads(line) for line in (workdir / "requests.jsonl").read_text().splitlines()]
    if not requests:
        sys.exit(f"locust made no request; its output:\n{log.read_text()[-3000:]}")
    started = min(r["t"] - r["ms"] / 1000 for r in requests)
    return {"requests": requests, "acks": workdir / "acks.jsonl", "seconds": max(r["t"] for r in requests) - started}


def by_kind(requests: list[dict]) -> dict[str, dict]:
    times, errors = defaultdict(list), defaultdict(int)
    for request in requests:
        times[request["kind"]].append(request["ms"])
        errors[request["kind"]] += not request["ok"]
    return {kind: {"ms": values, "errors": errors[kind]} for kind, values in times.items()}


def lost_writes(database_url: str, acks_files: list[Path]) -> tuple[int, list[str]]:
    """How many writes were acknowledged, and those of them the database does not hold as acknowledged."""
    acks = [json.loads(line) for path in acks_files for line in path.read_text().splitlines()]
    evidence = {ack["id"]: ack for ack in acks if ack["kind"] == "evidence"}
    verdicts = defaultdict(lambda: {"status": 0})  # each verdict as its last acknowledged write left it
    for ack in acks:
        if ack["kind"] != "evidence":
            expected = verdicts[ack["id"]]
            expected.update({key: value for key, value in ack.items() if key not in ("kind", "id")})
            expected["status"] = max(expected["status"], VERDICT_STATES.index(MOVED_TO.get(ack["kind"], "draft")))
    with psycopg.connect(database_url) as conn:
        held_evidence = {
            row[0]: row[1:]
            for row in conn.execute(
                "SELECT e.id, e.claim_id, e.url, u.username FROM claims_evidence e"
                " LEFT JOIN auth_user u ON u.id = e.added_by_id WHERE e.id = ANY(%s)",
                [list(evidence)],
            )
        }
        held_verdicts = {
            row[0]: row[1:]
            for row in conn.execute(
                "SELECT v.id, v.claim_id, v.status, v.summary, a.username, p.username, c.current_verdict_id, c.status"
                " FROM claims_verdict v JOIN claims_claim c ON c.id = v.claim_id"
                " LEFT JOIN auth_user a ON a.id = v.author_id LEFT JOIN auth_user p ON p.id = v.approved_by_id"
                " WHERE v.id = ANY(%s)",
                [list(verdicts)],
            )
        }
    problems = []
    for pk, ack in evidence.items():
        held = held_evidence.get(pk)
        if held != (ack["claim"], ack["url"], ack["user"]):
            problems.append(
                f"evidence {pk} on claim {ack['claim']} by {ack['user']}: "
                + ("missing" if held is None else f"holds {held}")
            )
    for pk, expected in verdicts.items():
        problems += [
            f"verdict {pk} on claim {expected['claim']}: {problem}"
            for problem in verdict_problems(pk, expected, held_verdicts.get(pk))
        ]
    return len(acks), problems


VERDICT_STATES = ("draft", "in_review", "published")  # in the order the workflow moves a verdict through them
MOVED_TO = {"submit": "in_review", "publish": "published"}


def verdict_problems(pk: int, expected: dict, held: tuple | None) -> list[str]:
    """How a verdict differs from what its acknowledged writes left: a later state than acknowledged is no loss."""
    if held is None:
        return ["missing"]
    claim, status, summary, author, approver, current, claim_status = held
    problems = [
        f"{name} is {value!r}, acknowledged {expected[name]!r}"
        for name, value in (("claim", claim), ("author", author), ("summary", summary))
        if value != expected[name]
    ]
    least = VERDICT_STATES[expected["status"]]
    if status not in VERDICT_STATES or VERDICT_STATES.index(status) < expected["status"]:
        problems.append(f"is {status}, acknowledged as {least}")
    if least == "published" and (approver, current, claim_status) != (expected["editor"], pk, "published"):
        problems.append(f"approved by {approver}; its claim is {claim_status} with current verdict {current}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, required=True, help="size of the synthetic corpus")
    parser.add_argument("--users", type=int, default=50, help="concurrent users under load (at least 3)")
    parser.add_argument("--seconds", type=int, default=60, help="length of the run under load")
    parser.add_argument("--alone-seconds", type=int, default=15, help="length of the baseline run, one user")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default: two a core, see above)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (1: sync workers)")
    args = parser.parse_args()
    if args.users < 3:
        parser.error("--users must be at least 3: a reader, a reviewer and an editor.")
    reviewers = max(1, round(args.users * REVIEWER_SHARE))
    editors = max(1, round(args.users * EDITOR_SHARE))

    database_url = prepare_database(args.claims)
    with psycopg.connect(database_url) as conn:
        paths = read_paths(conn)
        claims = write_claims(conn, 20_000)
    accounts = staff_accounts(database_url, reviewers, editors)
    config = {
        "run": uuid.uuid4().hex[:12],
        "paths": paths,
        "read_weights": READ_WEIGHTS,
        "think_seconds": THINK_SECONDS,
        "reviewers": reviewers,
        "editors": editors,
        "reviewer_accounts": accounts["reviewer"],
        "editor_accounts": accounts["editor"],
    }
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    with gunicorn(database_url, workers=args.workers, threads=args.threads) as port:
        latencies_ms(port, [path for kind_paths in paths.values() for path in kind_paths[:3]])  # warm, and check them
        alone = run_locust(
            workdir / "alone", port, {**config, "write_claims": claims[:1000]}, 1, args.alone_seconds, ["Alone"]
        )
        loaded = run_locust(
            workdir / "load",
            port,
            {**config, "write_claims": claims[1000:]},
            args.users,
            args.seconds,
            ["Reader", "Reviewer", "Editor"],
        )
    acknowledged, lost = lost_writes(database_url, [alone["acks"], loaded["acks"]])
    server = f"{args.workers} sync workers" if args.threads == 1 else f"{args.workers} workers x {args.threads} threads"
    errors = report(args, alone, loaded, server, reviewers, editors, acknowledged, lost)
    if errors or lost:
        print(f"\nThe run's files (locust's output, requests, acknowledged writes) are kept in {workdir}")
        sys.exit(1)
    shutil.rmtree(workdir)


def report(args, alone: dict, loaded: dict, server: str, reviewers: int, editors: int, acknowledged, lost) -> int:
    """Print the table and the lost writes, save the figures; the number of errors."""
    base, load = by_kind(alone["requests"]), by_kind(loaded["requests"])
    kinds = [*READ_WEIGHTS, *WRITE_KINDS]
    errors = sum(stats["errors"] for stats in [*base.values(), *load.values()])
    rows = [("kind", "requests   req/s  errors  alone p50  p50 ms  p95 ms  p99 ms  p50/alone  p99 target")]
    figures = {
        "load_claims": args.claims,
        "load_users": args.users,
        "load_seconds": args.seconds,
        "load_server": server,
    }
    for kind in kinds:
        if kind not in load:
            rows.append((kind, "no request under load"))
            continue
        ms, alone_p50 = load[kind]["ms"], percentile(base[kind]["ms"], 0.5) if kind in base else float("nan")
        p50, p95, p99 = (percentile(ms, fraction) for fraction in (0.5, 0.95, 0.99))
        target = f"< {P99_TARGET_MS} at 1M" if kind in READ_WEIGHTS else ""
        line = f"{len(ms):8d} {len(ms) / loaded['seconds']:7.1f} {load[kind]['errors']:7d} {alone_p50:10.1f}"
        line += f" {p50:7.1f} {p95:7.1f} {p99:7.1f} {p50 / alone_p50:10.2f}  {target}"
        rows.append((kind, line))
        key = "load_" + kind.replace(" (editor)", "").replace(" ", "_")
        figures |= {
            f"{key}_requests_per_second": round(len(ms) / loaded["seconds"], 2),
            f"{key}_alone_p50_ms": round(alone_p50, 2),
            f"{key}_p50_ms": round(p50, 2),
            f"{key}_p95_ms": round(p95, 2),
            f"{key}_p99_ms": round(p99, 2),
            f"{key}_p50_to_alone_ratio": round(p50 / alone_p50, 3),
        }
    total = len(loaded["requests"])
    rows.append(("all", f"{total:8d} {total / loaded['seconds']:7.1f} {errors:7d}  (errors: both phases)"))
    readers = args.users - reviewers - editors
    print_table(
        f"Load test at {args.claims:,} claims: {args.users} users ({readers} reading, {reviewers} reviewers, "
        f"{editors} editors) for {loaded['seconds']:.0f} s, think time {THINK_SECONDS[0]}-{THINK_SECONDS[1]} s, "
        f"against each kind alone (one user, {alone['seconds']:.0f} s); gunicorn {server}, PostgreSQL",
        rows,
    )
    samples = sorted({r["error"] for r in [*alone["requests"], *loaded["requests"]] if not r["ok"]})
    for sample in samples[:10]:
        print(f"error: {sample}")
    print(f"\nacknowledged writes: {acknowledged}")
    print(f"lost writes: {len(lost)}")
    for problem in lost:
        print(f"  {problem}")
    figures |= {
        "load_requests_per_second": round(total / loaded["seconds"], 2),
        "load_errors": errors,
        "load_acknowledged_writes": acknowledged,
        "load_lost_writes": len(lost),
    }
    save_results(figures)
    return errors


if __name__ == "__main__":
    main()
