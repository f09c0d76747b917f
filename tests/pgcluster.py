"""A throw-away PostgreSQL cluster for the database suites, from Debian's binaries.

The cluster lives in a temporary folder, listens on a free port on 127.0.0.1 only
(its Unix socket stays in that folder), trusts local connections, and runs without
fsync, because it contains test data only. As root, the binaries run as the ``postgres`` OS
user (PostgreSQL refuses to run as root); otherwise as the current user.
"""

from __future__ import annotations

import itertools
import logging
import os
import pwd
import shutil
import subprocess
import tempfile
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

__all__ = ["EngineTracker", "PostgresCluster", "database_url", "postgres_bin_dir",
           "postgres_cluster", "postgres_url", "start_cluster", "stop_cluster"]

logger = logging.getLogger(__name__)

_SEARCH = Path("/usr/lib/postgresql")
_USER = "hocba"
_counter = itertools.count(1)


def postgres_bin_dir() -> Path | None:
    """Return the newest ``/usr/lib/postgresql/<version>/bin`` that has initdb and pg_ctl."""
    if not _SEARCH.is_dir():
        return None
    candidates = sorted(
        (path for path in _SEARCH.glob("*/bin")
         if (path / "initdb").exists() and (path / "pg_ctl").exists()),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    return candidates[-1] if candidates else None


@dataclass
class PostgresCluster:
    """A running cluster: its folder, port and the URL of its maintenance database."""

    bin_dir: Path
    root: Path
    port: int
    run_as: str | None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        import psycopg

        name = f"hocba_{os.getpid()}_{next(_counter)}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user=_USER,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop the database of ``url``, ending any connection still open to it."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(host="127.0.0.1", port=self.port, user=_USER,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_cluster(bin_dir: Path, port: int) -> PostgresCluster:
    """Create and start a cluster on 127.0.0.1:``port``; raise RuntimeError if it fails."""
    run_as = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="hocba-pg-"))
    if run_as is not None:
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    cluster = PostgresCluster(bin_dir, root, port, run_as)
    _run(cluster, "initdb", "-D", str(cluster.data_dir), "-U", _USER, "--auth=trust",
         "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
    options = (f"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    _run(cluster, "pg_ctl", "-D", str(cluster.data_dir), "-o", options, "-l",
         str(root / "server.log"), "-w", "-t", "60", "start")
    logger.info("PostgreSQL test cluster on 127.0.0.1:%d in %s", port, root)
    return cluster


def stop_cluster(cluster: PostgresCluster) -> None:
    """Stop the cluster with pg_ctl and delete its folder."""
    try:
        _run(cluster, "pg_ctl", "-D", str(cluster.data_dir), "-m", "fast", "-w", "-t", "60",
             "stop")
    finally:
        shutil.rmtree(cluster.root, ignore_errors=True)


def _run(cluster: PostgresCluster, program: str, *args: str) -> None:
    command = [str(cluster.bin_dir / program), *args]
    if cluster.run_as is not None:
        command = ["runuser", "-u", cluster.run_as, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                          cwd=cluster.root)
    if done.returncode != 0:
        log = cluster.root / "server.log"
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()}\n{tail}")


# Fixtures (imported by tests/conftest.py) ------------------------------------


class EngineTracker:
    """Remember every engine that connects to one database, to close their pools."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.engines: weakref.WeakSet[Engine] = weakref.WeakSet()

    def __enter__(self) -> EngineTracker:
        event.listen(Engine, "engine_connect", self._seen)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(Engine, "engine_connect", self._seen)
        for engine in list(self.engines):
            engine.dispose()

    def _seen(self, connection) -> None:  # type: ignore[no-untyped-def]
        if connection.engine.url.database == self.database:
            self.engines.add(connection.engine)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster for this test session, stopped by pg_ctl at the end."""
    pytest.importorskip("psycopg", reason="psycopg is not installed in the virtualenv")
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
                    "(install the Debian package postgresql)")
    from tests.conftest import free_port

    cluster = start_cluster(bin_dir, free_port())
    yield cluster
    stop_cluster(cluster)


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """The URL of one database on the session's PostgreSQL cluster."""
    url = postgres_cluster.create_database()
    with EngineTracker(url.rsplit("/", 1)[1]):
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: a SQLite file, or a new database on the PostgreSQL cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hocba.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    url = cluster.create_database()
    with EngineTracker(url.rsplit("/", 1)[1]):
        yield url
    cluster.drop_database(url)
