"""gunicorn's settings for the app (the Dockerfile's and docker-compose's server), read from the environment.

gunicorn reads this file from the directory it starts in; options on its command line win over it.
README ("Operating it") explains the choices: gthread workers, so that a slow reader of a long export holds
one thread rather than a whole worker, and a long stream is never killed by the worker time-out (a sync
worker that streams past it is killed mid-answer); a worker takes a connection only for a free thread; a
send time-out that ends a stalled download visibly (the chunked body stops unfinished) rather than holding
its thread for ever; and X-Forwarded-Proto believed only from the proxies in FORWARDED_ALLOW_IPS.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the project, whichever directory gunicorn runs from

from factcheck.env import env_int, env_list, env_str

bind = env_str("GUNICORN_BIND", "0.0.0.0:8000")
# Processes, about two per core; each serves GUNICORN_THREADS requests at once.
workers = env_int("WEB_CONCURRENCY", 4, minimum=1)
worker_class = "gthread"
threads = env_int("GUNICORN_THREADS", 4, minimum=1)
# A worker whose main thread has not reported for this long is stuck, and is restarted. In a gthread worker
# the main thread reports while other threads stream, so this bounds a hung process, not a long download.
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
# On a restart or deploy, requests under way get this long to finish.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
# A worker takes a connection only when it has a thread free for it. gthread's default (1,000) lets a worker
# whose threads all serve slow readers accept more requests and queue them behind those readers, while
# another worker sits idle; with this, they wait in the listening socket's backlog for the first free thread.
# It leaves no room to keep connections alive between requests, which gunicorn then closes (keepalive 0).
worker_connections = threads
keepalive = 0
# A client that has taken nothing of the answer (or sent nothing of its request's body) for this long is
# dropped, and its thread freed.
SEND_TIMEOUT = env_int("GUNICORN_SEND_TIMEOUT", 60, minimum=1)

# Only these addresses (the TLS proxy's, or "*" when only the proxy can reach gunicorn) may say that the
# request came in over HTTPS, and only with X-Forwarded-Proto. gunicorn's own default: loopback only.
forwarded_allow_ips = ",".join(env_list("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"]))
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

accesslog = "-"
# No control socket: it would go in the home directory, which the image's app user does not have.
control_socket_disable = True


def pre_request(worker, req):
    """Bound each wait on the client's socket: a reader that takes nothing for SEND_TIMEOUT seconds is cut off.

    gthread makes the socket blocking, without a time-out, before each request; this sets one for the request.
    """
    req.unreader.sock.settimeout(SEND_TIMEOUT)
