"""A throwaway PostgreSQL server for tests: its own data folder, reachable only by a Unix socket.

Tests never use a server the machine may already run (Debian's package starts a cluster
service of its own): each test process starts one here with the package's initdb and pg_ctl,
with trust authentication for the single role ``jurisdesk``, and removes it afterwards.
PostgreSQL refuses to run as root, so when the tests run as root (as in CI) the server runs as
the ``postgres`` system user that Debian's package creates.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

DEBIAN_PACKAGE = "postgresql"
SERVER_USER = "postgres"
ROLE = "jurisdesk"
START_TIMEOUT_SECONDS = 60

# Speed over durability: the data is thrown away with the folder. A small shared memory so
# that one server per test process (pytest-xdist) stays light.
_SETTINGS = {
    "listen_addresses": "",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "shared_buffers": "16MB",
    "max_connections": "50",
}
_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def memory_folder(needed_bytes: int = 2 * 1024**3) -> Path | None:
    """A folder in memory (Linux's /dev/shm) with room for a test server and its databases,
    or None. A server there copies a template database into a new one several times quicker
    than on a disk other programs keep busy; its data is thrown away anyway."""
    folder = Path("/dev/shm")
    try:
        room = shutil.disk_usage(folder).free
    except OSError:
        return None
    return folder if room >= needed_bytes and os.access(folder, os.W_OK) else None


class PostgresUnavailable(RuntimeError):
    """The server cannot be started here; the message says what is missing."""


def find_binaries() -> Path:
    """The folder holding initdb and pg_ctl: Debian keeps them off PATH, one folder a version."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    folders = [
        folder
        for folder in Path("/usr/lib/postgresql").glob("*/bin")
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file()
    ]
    if not folders:
        raise PostgresUnavailable(
            "PostgreSQL's initdb and pg_ctl were not found (on PATH or in "
            f"/usr/lib/postgresql/*/bin): install the Debian package '{DEBIAN_PACKAGE}' "
            f"(sudo apt-get install {DEBIAN_PACKAGE}, or scripts/system-packages test as root)."
        )

    def version(folder: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name))

    return max(folders, key=version)


def _run_as_prefix() -> list[str]:
    """How to run the server's commands as an unprivileged user: nothing unless we are root."""
    if os.geteuid() != 0:
        return []
    try:
        import pwd

        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"PostgreSQL refuses to run as root and there is no '{SERVER_USER}' user to run it "
            f"as: install the Debian package '{DEBIAN_PACKAGE}', which creates that user."
        ) from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable(
            f"Running as root, the server must run as '{SERVER_USER}', but runuser (util-linux) "
            "is missing."
        )
    return [runuser, "-u", SERVER_USER, "--"]


class PostgresServer:
    """One server in a temporary folder. Use as a context manager: it stops and removes the
    folder on leaving, also when the body raised."""

    def __init__(self, parent: Path | None = None) -> None:
        """parent: where the server's folder goes (default: the system temporary folder)."""
        self._bin = find_binaries()
        self._prefix = _run_as_prefix()
        self._parent = parent
        self._folder: Path | None = None
        self._running = False

    @property
    def folder(self) -> Path:
        if self._folder is None:
            raise RuntimeError("the server is not started")
        return self._folder

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        # The server's user may not be able to enter the caller's working directory.
        return subprocess.run(
            [*self._prefix, *command],
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
            timeout=START_TIMEOUT_SECONDS + 30,
        )

    def _check(self, what: str, result: subprocess.CompletedProcess[str]) -> None:
        if result.returncode == 0:
            return
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        raise PostgresUnavailable(
            f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
            + (f"\nServer log:\n{log}" if log else "")
        )

    def start(self) -> None:
        # The system temporary folder, not pytest's: that one is private to the test user and
        # the server's user could not enter it. The socket path must stay short (about 100
        # bytes), which this keeps.
        self._folder = Path(tempfile.mkdtemp(prefix="jurisdesk-pg-", dir=self._parent))
        try:
            self.socket_dir.mkdir()
            if self._prefix:
                shutil.chown(self.folder, SERVER_USER, SERVER_USER)
                shutil.chown(self.socket_dir, SERVER_USER, SERVER_USER)
            self._check(
                "initdb",
                self._run(
                    str(self._bin / "initdb"),
                    "--pgdata",
                    str(self.data),
                    "--auth=trust",
                    f"--username={ROLE}",
                    "--encoding=UTF8",
                    # Byte order, as SQLite compares text, whatever the machine's locale.
                    "--locale=C",
                    "--no-sync",
                ),
            )
            settings = {**_SETTINGS, "unix_socket_directories": str(self.socket_dir)}
            # Written into the configuration rather than passed through pg_ctl -o, which goes
            # through a shell and would need quoting.
            with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
                conf.write("\n# Throwaway test server\n")
                for name, value in settings.items():
                    conf.write(f"{name} = '{value}'\n")
            self._check(
                "pg_ctl start",
                self._run(
                    str(self._bin / "pg_ctl"),
                    "start",
                    "--wait",
                    f"--timeout={START_TIMEOUT_SECONDS}",
                    "--pgdata",
                    str(self.data),
                    "--log",
                    str(self.log),
                ),
            )
            self._running = True
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stops the server at once (its data is thrown away) and removes its folder."""
        if self._folder is None:
            return
        try:
            if self._running or (self.data / "postmaster.pid").exists():
                self._run(
                    str(self._bin / "pg_ctl"),
                    "stop",
                    "--wait",
                    "--mode=immediate",
                    "--pgdata",
                    str(self.data),
                )
                self._running = False
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------------- databases

    def url(self, database: str) -> str:
        """SQLAlchemy's URL of one of this server's databases (psycopg 3, over the socket)."""
        return URL.create(
            "postgresql+psycopg",
            username=ROLE,
            database=database,
            query={"host": str(self.socket_dir)},
        ).render_as_string(hide_password=False)

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        # CREATE and DROP DATABASE cannot run inside a transaction.
        return psycopg.connect(
            host=str(self.socket_dir), user=ROLE, dbname="postgres", autocommit=True
        )

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """A new empty database, or a copy of the database template (which nobody may be
        connected to meanwhile); returns its SQLAlchemy URL."""
        name = name or f"test_{uuid.uuid4().hex[:16]}"
        for checked in (name, template):
            if checked is not None and not _DATABASE_NAME.match(checked):
                raise ValueError(f"not a plain database name: {checked!r}")
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self._admin() as connection:
            connection.execute(statement)
        return self.url(name)

    def databases(self, prefix: str = "") -> list[str]:
        """The names of the databases whose names start with prefix (not the server's own)."""
        with self._admin() as connection:
            rows = connection.execute(
                "SELECT datname FROM pg_database WHERE NOT datistemplate "
                "AND datname <> 'postgres' AND starts_with(datname, %s) ORDER BY datname",
                (prefix,),
            ).fetchall()
        return [str(row[0]) for row in rows]

    def drop_database(self, name: str) -> None:
        """Drops a database, closing what is still connected to it (a test's leftover pool)."""
        with self._admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def add_role_with_password(
        self, role: str, password: str, *, owner_of: str | None = None
    ) -> str:
        """A login role that must give its password (scram-sha-256 on the socket, where every
        other role is trusted), made owner of the database owner_of if given. Returns the URL
        of that database (else of "postgres") for the role, without the password."""
        if not _DATABASE_NAME.match(role):
            raise ValueError(f"not a plain role name: {role!r}")
        with self._admin() as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)
            ).fetchone()
            statement = (
                sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}")
                if exists
                else sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}")
            )
            connection.execute(statement.format(sql.Identifier(role), sql.Literal(password)))
            if owner_of is not None:
                connection.execute(
                    sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                        sql.Identifier(owner_of), sql.Identifier(role)
                    )
                )
        hba = self.data / "pg_hba.conf"
        line = f"local all {role} scram-sha-256\n"
        text = hba.read_text(encoding="utf-8")
        if line not in text.splitlines(keepends=True):
            # The first matching line wins: before initdb's "local all all trust".
            hba.write_text(line + text, encoding="utf-8")
            self._check(
                "pg_ctl reload",
                self._run(str(self._bin / "pg_ctl"), "reload", "--pgdata", str(self.data)),
            )
        return URL.create(
            "postgresql+psycopg",
            username=role,
            database=owner_of or "postgres",
            query={"host": str(self.socket_dir)},
        ).render_as_string(hide_password=False)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server
