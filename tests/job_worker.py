"""The Celery app of the workers that ``test_job_workers.py`` starts and kills: the project's own, with two
differences. Its keys in Redis carry the test's prefix (``TEST_REDIS_PREFIX``), so that no one else's queues are
touched; and each import batch waits ``TEST_BATCH_SECONDS`` after writing its rows, inside its transaction, so that
a kill -9 lands while a batch is half-written."""

import os
import time

from celery.signals import worker_process_init

from factcheck.celery import app

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "global_keyprefix": os.environ["TEST_REDIS_PREFIX"],
    # A killed worker's job comes back to the queue after this many seconds, looked for every second.
    "visibility_timeout": int(os.environ["TEST_VISIBILITY_TIMEOUT"]),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


@worker_process_init.connect
def slow_batches(**kwargs):
    from claims.intake.claimreview import importing

    write = importing._Batch.write

    def write_slowly(batch):
        write(batch)
        time.sleep(float(os.environ["TEST_BATCH_SECONDS"]))

    importing._Batch.write = write_slowly
