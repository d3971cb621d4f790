"""A real, throw-away PostgreSQL server for the SQL store tests: initdb in a temporary directory, started
with pg_ctl on a Unix socket only (no TCP port, so nothing collides with another server), stopped and
deleted at the end.

PostgreSQL refuses to run as root, so when the tests run as root the cluster directory is handed to
the unprivileged `nobody` account and initdb/pg_ctl run under it (subprocess's `user=`/`group=`, no
shell). Durability is switched off (fsync, synchronous_commit, full_page_writes): a test cluster is
thrown away, and those settings change no SQL semantics (constraints, isolation, locking).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUPERUSER = "personhood"
PORT = 5432  # only names the socket file (.s.PGSQL.5432) inside our own directory; no TCP listener
TOOL_TIMEOUT_S = 60
SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
INSTALL_HINT = "`make system-deps` installs the Debian postgresql package (or `apt-get install postgresql`)"


class PostgresMissingError(RuntimeError):
    """The server binaries are not installed on this machine."""


def find_bindir() -> Path:
    """The directory holding initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<newest>/bin."""
    on_path = shutil.which("initdb")
    candidates = [Path(on_path).parent] if on_path else []
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version(p.parent.name))
    candidates += reversed(versions)
    for bindir in candidates:
        if all((bindir / name).is_file() for name in SERVER_BINARIES):
            return bindir
    missing = "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found"
    raise PostgresMissingError(f"{missing}; {INSTALL_HINT}")


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


@dataclass(frozen=True)
class PostgresServer:
    """A running cluster: where its socket lives; `url(db)` is the SQLAlchemy URL of one database."""

    bindir: Path
    root: Path  # holds data/, the socket and the server log

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) of `database` over the Unix socket."""
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}&port={PORT}"

    def connect(self, database: str = "postgres") -> Any:
        """A psycopg connection in autocommit (CREATE/DROP DATABASE cannot run in a transaction).

        psycopg is imported here, not at module load, so the test suite still collects without it."""
        import psycopg

        return psycopg.connect(
            host=str(self.socket_dir), port=PORT, user=SUPERUSER, dbname=database, autocommit=True
        )

    @contextmanager
    def fresh_database(self) -> Iterator[str]:
        """A new empty database for one test; dropped (its connections closed) afterwards."""
        name = f"test_{uuid.uuid4().hex[:16]}"
        with self.connect() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield self.url(name)
        finally:
            with self.connect() as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a private cluster, yield it, stop it, delete its files; PostgresMissingError if absent."""
    bindir = find_bindir()
    root = Path(tempfile.mkdtemp(prefix="personhood-pg-"))
    owner = _unprivileged_owner(root)
    data = root / "data"
    try:
        _tool(
            owner,
            bindir / "initdb",
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",  # only the owner can reach the socket directory (mode 0700)
            "--encoding=UTF8",
            "--no-sync",
            "--no-instructions",
        )
        options = (
            f"-k {root} -p {PORT} -c listen_addresses= -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=60"
        )
        log = root / "server.log"
        try:
            _tool(owner, bindir / "pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        except RuntimeError as e:
            raise RuntimeError(f"{e}\n{log.read_text(errors='replace') if log.exists() else ''}") from e
        try:
            yield PostgresServer(bindir, root)
        finally:
            _tool(owner, bindir / "pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _unprivileged_owner(root: Path) -> pwd.struct_passwd | None:
    """None when we are not root (the server runs as us); else `nobody`, made the owner of `root`."""
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam("nobody")
    os.chown(root, nobody.pw_uid, nobody.pw_gid)
    return nobody


def _tool(owner: pwd.struct_passwd | None, program: Path, *args: str) -> None:
    command = [str(program), *args]
    identity = {} if owner is None else {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
    try:
        subprocess.run(
            command,
            check=True,
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT_S,
            cwd="/",  # the unprivileged owner may not be able to enter the current directory
            **identity,
        )
    except subprocess.CalledProcessError as e:
        raise RuntimeError(f"{program.name} failed: {e.stderr.strip() or e.stdout.strip()}") from e
