"""Writers that record the same things at the same moment converge on one row each (docs/architecture.md, "Keys").

On PostgreSQL, where writers run at once: real processes and threads, each on a connection of its own,
started together by holding a table against writes until every one of them waits on it.
"""

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import yaml
from django.core.management import call_command
from django.db import connection

from claims.models import Claim, Rating, Source, Speaker, Verdict
from tests.api import client_for
from tests.factories import SourceFactory, SpeakerFactory

PROJECT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections: PostgreSQL only"),
    pytest.mark.usefixtures("data_migrations"),
]


def database_url() -> str:
    """The URL of the test database, for processes of their own to write to."""
    server = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(server._replace(path=f"/{connection.settings_dict['NAME']}"))


def sessions_waiting() -> int:
    """How many sessions of the test database wait for a lock: on a table, or on a row another one holds."""
    with psycopg.connect(database_url(), autocommit=True) as db:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        return db.execute(query).fetchone()[0]


@contextlib.contextmanager
def started_together(table: str) -> Iterator:
    """Writes to ``table`` wait until the block calls ``release(count, alive)``: once ``count`` sessions wait (on
    it, or on one another), or ``alive()`` says the writers are done, the table is let go and they go on at once."""
    with psycopg.connect(database_url()) as holder:
        holder.execute(f"LOCK TABLE {table} IN SHARE MODE")

        def release(count: int, alive=lambda: True, timeout: float = 60) -> None:
            deadline = time.monotonic() + timeout
            while sessions_waiting() < count and alive():
                assert time.monotonic() < deadline, f"{count} writers never all waited on {table}"
                time.sleep(0.05)
            holder.commit()

        yield release


def manage_together(commands: list[list[str]], *, held: str) -> list[tuple[str, str, int]]:
    """Run ``manage.py`` with each of ``commands`` at once on the test database, each in a process of its own, held
    at their first write to the table ``held`` until all are there: what each printed and its exit status."""
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    with started_together(held) as release:
        processes = [
            subprocess.Popen(
                [sys.executable, "manage.py", *command],
                cwd=PROJECT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for command in commands
        ]
        try:
            release(len(processes), alive=lambda: all(process.poll() is None for process in processes))
            return [(*process.communicate(timeout=300), process.returncode) for process in processes]
        finally:
            for process in processes:
                process.kill()


CLAIMS, SPEAKERS, PAGES, PUBLISHERS = 300, 7, 11, 6


def reviews_by(publisher: int) -> list[dict]:
    """One publisher's fact-checks of the same ``CLAIMS`` claims as every other's: the same statements, by the same
    speakers, on the same pages; one label, "Distorted", is not on the scale."""
    labels = ["False", "Mostly false", "Half true", "Distorted"]
    return [
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"https://checker{publisher}.example/fact-checks/{number}",
            "claimReviewed": f"Exports grew by {number} percent last year",
            "datePublished": f"2024-03-{publisher + 1:02d}T10:00:00Z",
            "author": {"@type": "Organization", "name": f"Checker {publisher}"},
            "reviewRating": {"@type": "Rating", "alternateName": labels[(number + publisher) % len(labels)]},
            "itemReviewed": {
                "@type": "Claim",
                "author": {"@type": "Person", "name": f"Speaker {number % SPEAKERS}"},
                "appearance": {"url": f"https://news.example/stories/{number % PAGES}", "headline": "A story"},
            },
        }
        for number in range(CLAIMS)
    ]


def import_command(path: Path) -> list[str]:
    return ["import_claimreview", str(path), "--batch-size", "50"]


def import_counts(out: str) -> list[int]:
    """read, imported, already imported, skipped; new claims, claims already recorded: as the command printed them."""
    return [int(number) for number in re.findall(r"\d+", "".join(out.splitlines()[-2:]))]


def feeds(folder: Path, publishers: range) -> list[Path]:
    for publisher in publishers:
        (folder / f"publisher{publisher}.json").write_text(json.dumps(reviews_by(publisher)), encoding="utf-8")
    return [folder / f"publisher{publisher}.json" for publisher in publishers]


def current_is_latest() -> bool:
    """Whether every claim's current fact-check is its latest (``VerdictQuerySet.current_first``)."""
    latest = {claim.pk: claim.verdicts.current_first().first().pk for claim in Claim.objects.all()}
    return dict(Claim.objects.values_list("pk", "current_verdict")) == latest


def test_imports_of_the_same_claims_started_together_record_each_claim_source_and_speaker_once(tmp_path):
    """Six publishers' reviews of the same 300 claims, imported by six processes at once, and one file twice: every
    process finishes, each claim, source and speaker is recorded once, and the counts each process reports add up."""
    files = feeds(tmp_path, range(PUBLISHERS))
    files.append(files[0])  # the same file twice: the two share its fact-checks
    # Each reads what is recorded (nothing), then waits to create the new rating, its first write.
    outcomes = manage_together([import_command(path) for path in files], held="claims_rating")
    for out, err, returncode in outcomes:
        assert (returncode, err) == (0, ""), out + err
    # The two imports of one file share its fact-checks, batch by batch, whichever stores each first.
    counts = [import_counts(out) for out, _, _ in outcomes]
    assert all(
        read == CLAIMS and imported + already == CLAIMS and skipped == 0
        for read, imported, already, skipped, *_ in counts
    )
    assert (sum(count[1] for count in counts), sum(count[2] for count in counts)) == (CLAIMS * PUBLISHERS, CLAIMS)
    # Which process recorded a claim and which found it recorded depends on the race; together, each claim once.
    assert sum(count[4] for count in counts) == CLAIMS
    assert all(new + recorded == imported for _, imported, _, _, new, recorded in counts)

    assert {
        "claims": Claim.objects.count(),
        "sources": Source.objects.count(),
        "speakers": Speaker.objects.count(),
        "verdicts": Verdict.objects.count(),
        "new ratings": Rating.objects.filter(label="Distorted").count(),
        "claims recorded as added": Claim.history.filter(history_type="+").count(),
    } == {
        "claims": CLAIMS,
        "sources": PAGES,
        "speakers": SPEAKERS,
        "verdicts": CLAIMS * PUBLISHERS,
        "new ratings": 1,
        "claims recorded as added": CLAIMS,
    }
    # Each claim's current fact-check is the latest of the six, whichever process wrote it last.
    assert current_is_latest()
    assert set(Claim.objects.values_list("current_verdict__publisher_name", flat=True)) == {f"Checker {PUBLISHERS - 1}"}


def test_imports_adding_fact_checks_to_the_same_claims_at_once_leave_each_claim_its_latest(tmp_path):
    """The claims are recorded; five imports add their fact-checks to them at once, held until each is about to
    choose the claims' current fact-checks (or waits for another import to finish): the last to commit sees the
    others' fact-checks, whichever is latest."""
    first, *others = feeds(tmp_path, range(PUBLISHERS))
    call_command(*import_command(first), stdout=io.StringIO())
    outcomes = manage_together([import_command(path) for path in others], held="claims_claim")
    assert [returncode for _, _, returncode in outcomes] == [0] * len(others)
    assert [import_counts(out) for out, _, _ in outcomes] == [[CLAIMS, CLAIMS, 0, 0, 0, CLAIMS]] * len(others)
    assert current_is_latest()
    assert set(Claim.objects.values_list("current_verdict__publisher_name", flat=True)) == {f"Checker {PUBLISHERS - 1}"}


SEED_FILE = PROJECT / "seeds" / "newsweek-2019-07-05-pompeo-venezuela.yaml"
ARTICLE = ["seeds/newsweek-2019-07-05-pompeo-venezuela.txt", "--publisher", "Newsweek", "--published-on", "2019-07-05"]
ARTICLE_URL = "https://www.newsweek.com/mike-pompeo-russia-undesired-foreign-presence-venezuela-1447736"


def test_a_seed_load_and_two_extractions_of_its_article_at_once_record_the_article_its_speakers_and_claims_once():
    """All three write the article's source first, and are held there: whichever stores it first, the others find
    it, and the speakers and claims the first stored, and go on."""
    save = ["extract_claims", *ARTICLE, "--source-url", ARTICLE_URL, "--save"]
    outcomes = manage_together([["load_seed", str(SEED_FILE)], save, save], held="claims_source")
    assert [returncode for _, _, returncode in outcomes] == [0, 0, 0], outcomes

    out = io.StringIO()
    call_command("extract_claims", *ARTICLE, "--format", "json", stdout=out)
    extracted = json.loads(out.getvalue())
    seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    assert Source.objects.filter(url=ARTICLE_URL).count() == 1
    texts = {claim["text"] for claim in seed["claims"]} | {candidate["text"] for candidate in extracted}
    assert sorted(Claim.objects.filter(source__url=ARTICLE_URL).values_list("text", flat=True)) == sorted(texts)
    slugs = {speaker["slug"] for speaker in seed["speakers"]} | {Speaker.slug_for(c["speaker"]) for c in extracted}
    assert sorted(Speaker.objects.values_list("slug", flat=True)) == sorted(slugs)
    for _, err, _ in outcomes[1:]:
        created, existing = (int(number) for number in re.findall(r"(\d+) (?:claims|already)", err))
        assert created + existing == len(extracted)


def test_two_requests_recording_the_same_claim_at_once_record_it_once_and_refuse_the_other(reviewer):
    """Both check that the claim is new, then write: the second is refused by the database and answers 400 with the
    constraint's message, as if it had come a moment later."""
    claim = {"text": "Exports grew by 3 percent", "source": SourceFactory().pk, "speaker": SpeakerFactory().pk}
    responses = []

    def post():
        try:
            responses.append(client_for(reviewer).post("/api/v1/claims/", claim))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    with started_together("claims_claim") as release:
        for thread in threads:
            thread.start()
        release(len(threads), alive=lambda: all(thread.is_alive() for thread in threads))
        for thread in threads:
            thread.join()
    assert sorted(response.status_code for response in responses) == [201, 400]
    refused = next(response for response in responses if response.status_code == 400)
    assert refused.json()["detail"] == "A claim with this text from this source is already recorded."
    assert Claim.objects.filter(text=claim["text"]).count() == 1
