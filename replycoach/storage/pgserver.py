"""A throwaway PostgreSQL server on loopback, for the tests and the storage benchmark.

Uses the server binaries of the machine (Debian: ``/usr/lib/postgresql/<version>/bin``, or
``REPLYCOACH_PG_BIN``). PostgreSQL refuses to run as root, so as root the binaries run as the ``postgres``
system user through ``runuser``. The data directory (and the socket in it) lives in a temporary folder that
``stop()`` removes.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

_SEARCH_VERSIONS = ("15", "16", "17", "14")


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed here."""


def find_bin_dir() -> Path | None:
    override = os.environ.get("REPLYCOACH_PG_BIN")
    candidates = [Path(override)] if override else [Path(f"/usr/lib/postgresql/{v}/bin") for v in _SEARCH_VERSIONS]
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    """A running server; ``url(dbname)`` gives a SQLAlchemy URL, ``create_database`` makes a fresh one."""

    bin_dir: Path
    base_dir: Path
    port: int
    as_postgres_user: bool
    _stopped: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` (dropping an old one of that name) and return its URL."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"Bad database name {name!r}")
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            _run(self, "pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)


def _run(server: PostgresServer, program: str, *args: str) -> subprocess.CompletedProcess:
    command = [str(server.bin_dir / program), *args]
    if server.as_postgres_user:
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, cwd=server.base_dir, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{program} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def start_postgres(*, durable: bool = False) -> PostgresServer:
    """Start a fresh server on 127.0.0.1 and a free port.

    ``durable=False`` (tests) turns off fsync: the data is thrown away anyway and tests run faster.
    ``durable=True`` keeps the server's default durability, so benchmark numbers mean something.
    """
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(
            "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/{15,16,17,14}/bin and "
            "$REPLYCOACH_PG_BIN); install them with `apt-get install postgresql`."
        )
    as_root = os.geteuid() == 0
    base_dir = Path(tempfile.mkdtemp(prefix="replycoach-pg-"))
    server = PostgresServer(bin_dir=bin_dir, base_dir=base_dir, port=_free_port(), as_postgres_user=as_root)
    if as_root:
        shutil.chown(base_dir, user="postgres", group="postgres")
    options = [
        "-c listen_addresses=127.0.0.1",
        f"-p {server.port}",
        f"-k {base_dir}",
        "-c max_connections=100",
    ]
    if not durable:
        options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    try:
        _run(server, "initdb", "-D", str(server.data_dir), "-A", "trust", "-U", "postgres", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        _run(server, "pg_ctl", "-D", str(server.data_dir), "-w", "-t", "60", "-l", str(base_dir / "server.log"),
             "-o", " ".join(options), "start")  # fmt: skip
    except BaseException:
        shutil.rmtree(base_dir, ignore_errors=True)
        raise
    atexit.register(server.stop)  # a crashed test run must not leave a server behind
    return server
