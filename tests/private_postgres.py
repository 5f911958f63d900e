"""PostgreSQL of a test's own: databases on the suite's server, or a whole cluster to stop and start.

``PrivateDatabases`` creates databases on the server of DATABASE_URL, never the suite's own, and
drops every one it made when asked, even after a failed test.

A test that takes the database away must never touch a server that others share: ``private_postgres()``
runs ``initdb`` in a temporary directory and ``pg_ctl`` on a port of its own, and stops and removes the
cluster when the ``with`` block ends, however it ends. ``private_replica(primary)`` does the same with a
hot standby streaming from such a cluster, copied with ``pg_basebackup -R``. PostgreSQL refuses to run
as root, so as root the binaries run as the ``postgres`` user.
"""

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
from psycopg import sql


class PrivateDatabases:
    """Databases of a test's own on the test server, named ``<prefix>_<random>``; ``drop_all`` drops them."""

    def __init__(self, prefix: str):
        self.server = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        self.prefix = prefix
        self.names: set[str] = set()

    def url(self, name: str) -> str:
        return urllib.parse.urlunsplit(self.server._replace(path=f"/{name}"))

    def _admin(self, statement: str, *names: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL(statement).format(*map(sql.Identifier, names)))

    def create(self, name: str = "", *, template: str = "") -> str:
        """A new database (a copy of the database at URL ``template``, if given); its URL."""
        name = name or f"{self.prefix}_{secrets.token_hex(4)}"
        self.names.add(name)
        if template:
            self._admin("CREATE DATABASE {} TEMPLATE {}", name, _name(template))
        else:
            self._admin("CREATE DATABASE {}", name)
        return self.url(name)

    def drop(self, url: str) -> None:
        name = _name(url)
        assert name in self.names, f"{name} is not one of this test's databases"
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def drop_all(self) -> None:
        for name in self.names:
            self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def _name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def postgres_bin_dir() -> Path | None:
    """Where ``initdb``, ``pg_ctl`` and ``pg_basebackup`` are: $PG_BIN, the PATH, or the newest of Debian's
    versioned folders."""
    candidates = [os.environ.get("PG_BIN", "")]
    if found := shutil.which("pg_ctl"):
        # The folder of the installation, not of a symbolic link to pg_ctl: pg_basebackup is found beside it.
        candidates.append(str(Path(found).resolve().parent))
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name), reverse=True)
    candidates += [str(path) for path in versions if path.parent.name.isdigit()]
    for candidate in filter(None, candidates):
        if all((Path(candidate) / name).is_file() for name in ("initdb", "pg_ctl", "pg_basebackup")):
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateCluster:
    """One cluster: its data in ``root``, listening on 127.0.0.1:``port`` only, trusting local connections."""

    def __init__(self, bin_dir: Path, root: Path):
        self.bin_dir, self.root = bin_dir, root
        self.data, self.log = root / "data", root / "server.log"
        self.port = free_port()

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"{program} failed: {result.stdout}{result.stderr}{log[-2000:]}")

    def init(self) -> None:
        # No fsync: the cluster lives for one test, and a crash of it is what the tests cause anyway.
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "-N")

    def copy_as_standby_of(self, primary: "PrivateCluster") -> None:
        """A base backup of ``primary`` that starts as a hot standby streaming from it (``-R`` writes the
        connection and ``standby.signal``)."""
        source = ["-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
        self.run("pg_basebackup", "-D", str(self.data), *source, "-X", "stream", "-c", "fast", "-R")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "-o", options)

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; ``immediate`` drops every connection at once, as a crash would."""
        self.run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "30")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def _running_cluster(bin_dir: Path, create: Callable[[PrivateCluster], None]) -> Iterator[PrivateCluster]:
    root = Path(tempfile.mkdtemp(prefix="factcheck-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(root, user="postgres", group="postgres")
        cluster = PrivateCluster(bin_dir, root)
        create(cluster)
        cluster.start()
        try:
            yield cluster
        finally:
            if cluster.is_running():
                cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def private_postgres(bin_dir: Path) -> contextlib.AbstractContextManager[PrivateCluster]:
    """A running cluster of the caller's own; stopped and deleted afterwards, even when the block fails."""
    return _running_cluster(bin_dir, PrivateCluster.init)


def private_replica(primary: PrivateCluster) -> contextlib.AbstractContextManager[PrivateCluster]:
    """A running hot standby of ``primary``, streaming its changes; stopped and deleted afterwards."""
    return _running_cluster(primary.bin_dir, lambda replica: replica.copy_as_standby_of(primary))
