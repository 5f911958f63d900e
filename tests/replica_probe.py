"""Where the database router sends the queries of the app's own code, in a process of the app whose replica is
paused: ``python -m tests.replica_probe EDITOR`` with the app's settings (DATABASE_URL, DATABASE_REPLICA_URLS).

It stores a new claim on the primary, which the paused replica therefore lacks, then makes queries as a web
request would (and a streamed response, through the middleware) and prints, as one JSON object, where each
went and what it found. tests/test_replicas.py runs it against a real primary and replica.
"""

import json
import sys

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402 (the models need the setup first)
from django.db import transaction  # noqa: E402
from django.http import StreamingHttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from claims import workflow  # noqa: E402
from claims.models import Claim, Topic  # noqa: E402
from factcheck import replicas  # noqa: E402
from tests.app_processes import wait_until  # noqa: E402
from tests.factories import ClaimFactory  # noqa: E402


def probe(editor_name: str) -> dict:
    wait_until(lambda: replicas.replica_states()["replica_1"].serves_reads, what="the replica to be measured")
    claim = ClaimFactory()  # outside a request: on the primary
    seen = {}
    with replicas.reads_of_a_request(replicas.RequestReads(on_primary=False)):
        seen["read"] = Claim.objects.all().db
        seen["claim found"] = Claim.objects.filter(pk=claim.pk).exists()
        seen["user read"] = get_user_model().objects.all().db
        with transaction.atomic():
            seen["read in a transaction"] = Claim.objects.all().db
            seen["claim found in a transaction"] = Claim.objects.filter(pk=claim.pk).exists()
        editor = get_user_model().objects.get(username=editor_name)
        seen["moved to"] = workflow.claim_mark_checkworthy(claim=Claim(pk=claim.pk), user=editor).status
        seen["read after writing"] = Claim.objects.all().db
    seen["read outside a request"] = Claim.objects.all().db

    def streaming_view(request):
        # The body is made while the response is sent, after every middleware has returned.
        return StreamingHttpResponse(Topic.objects.all().db.encode() for _ in range(1))

    response = replicas.ReadYourWritesMiddleware(streaming_view)(RequestFactory().get("/"))
    seen["streamed read"] = b"".join(response.streaming_content).decode()
    return seen


if __name__ == "__main__":
    sys.stdout.write(json.dumps(probe(sys.argv[1])) + "\n")
