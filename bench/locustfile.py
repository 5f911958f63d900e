"""The users of the load test, run by locust in a process of its own (bench/load.py starts it).

Never imported by Django or by the benchmarks: locust patches the standard library with gevent
as it starts. Everything it needs (paths to read, tokens, the claims to write on, where to write
down what happened) comes from the JSON file named by LOAD_CONFIG, written by bench/load.py.

Every request is named by its kind (``name=``) and written to the ``requests`` file as one JSON
line: kind, milliseconds, status, and the start of the body when it failed. Every write that
the server acknowledged (2xx) is written at once to the ``acks`` file with what the database
must now hold, for the lost-write check.
"""

import json
import os
import random
import time
from pathlib import Path

from gevent.queue import Empty, Queue
from locust import HttpUser, between, constant, events, task

CONFIG = json.loads(Path(os.environ["LOAD_CONFIG"]).read_text())
READ_WEIGHTS = CONFIG["read_weights"]  # kind -> weight among the anonymous readers' requests
PATHS = CONFIG["paths"]  # kind -> paths of that kind
WRITE_CLAIMS = iter(CONFIG["write_claims"])  # (claim, its current fact-check): each corrected once at most in a run
SUBMITTED = Queue()  # verdicts in review, for the editors to publish, each taken by one
_acks = open(CONFIG["acks"], "a", buffering=1)  # noqa: SIM115 (open for the whole run; a line each)
_requests = open(CONFIG["requests"], "a")  # noqa: SIM115


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0)
    line = {"kind": name, "ms": response_time, "t": time.time(), "status": status, "ok": exception is None}
    if exception is not None:
        body = getattr(response, "text", "") or ""
        line["error"] = f"{request_type} {kwargs.get('url', '')}: {exception!s:.200} {body[:300]}"
    _requests.write(json.dumps(line) + "\n")


@events.user_error.add_listener
def _record_exception(user_instance, exception, tb, **kwargs):
    # An exception in a user's own code (a response without the expected field): an error of the run too.
    line = {"kind": "(user code)", "ms": 0, "t": time.time(), "status": 0, "ok": False}
    line["error"] = f"{type(user_instance).__name__}: {exception!r:.300}"
    _requests.write(json.dumps(line) + "\n")


@events.quitting.add_listener
def _close(**kwargs):
    _requests.close()
    _acks.close()


def _ack(kind: str, **expected) -> None:
    _acks.write(json.dumps({"kind": kind, **expected}) + "\n")


def _auth(token: str, etag: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Token {token}"}
    if etag:
        headers["If-Match"] = etag
    return headers


def _written(response) -> dict | None:
    """The body of a write the server acknowledged, else None (the failure is already counted)."""
    return response.json() if 200 <= response.status_code < 300 else None


def review(user: HttpUser, account: dict, pause) -> int | None:
    """A reviewer's round on one published claim: evidence, a correction of its fact-check, a revision of the
    correction, and its submission.

    Returns the verdict submitted for review, or None if a step failed or no claim is left.
    """
    claim, current = next(WRITE_CLAIMS, (None, None))
    if claim is None:
        return None
    client, token, who = user.client, account["token"], account["username"]
    mark = f"{CONFIG['run']}-{claim}"
    url = f"https://load.example/{mark}"
    evidence = {"claim": claim, "url": url, "title": f"Load test {mark}", "stance": "refutes", "kind": "dataset"}
    response = client.post("/api/v1/evidence/", json=evidence, headers=_auth(token), name="evidence add")
    body = _written(response)
    if body is None:
        return None
    _ack("evidence", id=body["id"], claim=claim, url=url, user=who)
    pause()
    reason = {"reason": f"Load test {mark}: new evidence"}
    response = client.post(
        f"/api/v1/verdicts/{current}/correct/", json=reason, headers=_auth(token), name="verdict draft"
    )
    body = _written(response)
    if body is None:
        return None
    verdict, etag = body["id"], response.headers["ETag"]
    _ack("draft", id=verdict, claim=claim, author=who, summary=body["summary"])
    pause()
    summary = f"Revised {mark}"
    path = f"/api/v1/verdicts/{verdict}/"
    response = client.patch(path, json={"summary": summary}, headers=_auth(token, etag), name="verdict edit")
    body = _written(response)
    if body is None:
        return None
    etag = response.headers["ETag"]
    _ack("edit", id=verdict, summary=summary)
    pause()
    response = client.post(f"{path}submit/", headers=_auth(token, etag), name="verdict submit")
    body = _written(response)
    if body is None:
        return None
    _ack("submit", id=verdict)
    return verdict


def publish(user: HttpUser, account: dict, verdict: int, pause) -> None:
    """An editor reads a verdict in review and publishes it, sending back the ETag read."""
    client, token = user.client, account["token"]
    path = f"/api/v1/verdicts/{verdict}/"
    response = client.get(path, headers=_auth(token), name="verdict read (editor)")
    if _written(response) is None:
        return
    etag = response.headers["ETag"]
    pause()
    body = _written(client.post(f"{path}publish/", headers=_auth(token, etag), name="verdict publish"))
    if body is not None:
        _ack("publish", id=verdict, claim=body["claim"], editor=account["username"])


def _think():
    return between(*CONFIG["think_seconds"])


class Reader(HttpUser):
    """Anyone on the public API: lists, filters, searches, details, similar claims and exports."""

    wait_time = _think()
    weight = 1

    @task
    def read(self):
        kind = random.choices(list(READ_WEIGHTS), weights=list(READ_WEIGHTS.values()))[0]
        self.client.get(random.choice(PATHS[kind]), name=kind)


class _Staff(HttpUser):
    abstract = True
    wait_time = _think()
    accounts: list[dict] = []

    def on_start(self):
        # One account each while there are enough; they are shared beyond that.
        type(self).taken = getattr(type(self), "taken", -1) + 1
        self.account = self.accounts[self.taken % len(self.accounts)]


class Reviewer(_Staff):
    """Adds evidence to a claim, drafts a verdict, revises it (If-Match) and submits it for review."""

    fixed_count = CONFIG["reviewers"]
    accounts = CONFIG["reviewer_accounts"]

    @task
    def review(self):
        verdict = review(self, self.account, self.wait)
        if verdict is not None:
            SUBMITTED.put(verdict)


class Editor(_Staff):
    """Publishes what the reviewers submitted: never their own (four eyes), each verdict once."""

    fixed_count = CONFIG["editors"]
    accounts = CONFIG["editor_accounts"]

    @task
    def publish(self):
        try:
            verdict = SUBMITTED.get(timeout=CONFIG["think_seconds"][1])
        except Empty:
            return
        publish(self, self.account, verdict, self.wait)


class Alone(HttpUser):
    """The baseline: every kind of request in turn, one at a time, with no other user."""

    wait_time = constant(0)

    def on_start(self):
        self.turn = 0

    @task
    def round(self):
        for kind in READ_WEIGHTS:
            paths = PATHS[kind]
            self.client.get(paths[self.turn % len(paths)], name=kind)
        verdict = review(self, CONFIG["reviewer_accounts"][0], lambda: None)
        if verdict is not None:
            publish(self, CONFIG["editor_accounts"][0], verdict, lambda: None)
        self.turn += 1
