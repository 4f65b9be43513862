"""Real environments for the storage tests: another user, a small or read-only disk, a damaged
file, and a process that can be killed at any moment of opening a database."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.services import exchange
from app.services.store import open_store
from tests.helpers import (
    REPO,
    child_env,
    cli_command,
    make_facility,
    make_jurisdiction,
    python_code,
)

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# ----------------------------------------------------------------------------- permissions


def permissions_apply() -> list[str]:
    """The command prefix under which file permissions bind a child process.

    root ignores them through two capabilities (overriding and bypassing read/search checks);
    dropping those from the bounding set makes root an ordinary owner, who still reaches
    everything the tests need (its own temporary folders, the Python under /root).
    """
    if not IS_ROOT:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv, so file permissions cannot bind a child")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def run_cli_bound(db: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Runs `jurisdesk --db DB ARGS` in a process that file permissions apply to."""
    return subprocess.run(
        [*permissions_apply(), *cli_command(db, *args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=child_env(),
        cwd=REPO,
        timeout=timeout,
        check=False,
    )


# ----------------------------------------------------------------------------- small disks


@contextlib.contextmanager
def small_disk(size_kib: int) -> Iterator[Path]:
    """A real file system of size_kib KiB (tmpfs), unmounted afterwards."""
    if not IS_ROOT or shutil.which("mount") is None:
        pytest.skip("a small disk needs root to mount a tmpfs")
    folder = Path(tempfile.mkdtemp(prefix="jurisdesk-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0777", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        with contextlib.suppress(OSError):
            folder.rmdir()


def remount(folder: Path, option: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{option}", str(folder)], check=True)


def fill_disk(folder: Path, leave_bytes: int = 0) -> Path:
    """Fills folder's file system until about leave_bytes remain free."""
    filler = folder / "filler.bin"
    block = b"\0" * 4096
    with filler.open("wb") as handle:
        while shutil.disk_usage(folder).free > leave_bytes:
            try:
                handle.write(block)
                handle.flush()
            except OSError:
                break
    return filler


# ----------------------------------------------------------------------------- damaged files


def flip_bits(path: Path, page: int, count: int = 8) -> None:
    """Inverts bits at the start of a page's b-tree header (after the file header on page 1)."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
    finally:
        connection.close()
    data = bytearray(path.read_bytes())
    offset = (page - 1) * page_size + (100 if page == 1 else 0)
    for n in range(count):
        data[offset + n] ^= 0xA5
    path.write_bytes(bytes(data))


def root_page(path: Path, table: str) -> int:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        row = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE type='table' AND name=?", (table,)
        ).fetchone()
    finally:
        connection.close()
    return int(row[0])


def integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


# ----------------------------------------------------------------------------- databases


def city_database(path: Path, name: str = "City of Albuquerque") -> None:
    """A database at path holding one jurisdiction with a facility; closed again."""
    store = open_store(path, actor="Clerk")
    try:
        jurisdiction = make_jurisdiction(store, name=name)
        make_facility(store, jurisdiction.id)
    finally:
        store.close()


def exchange_file(folder: Path, name: str = "Baltimore City") -> Path:
    """An exchange file holding one jurisdiction no other test database has (so importing it
    writes), made in its own database."""
    source = folder / f"source-{os.getpid()}-{time.monotonic_ns()}.sqlite"
    store = open_store(source, actor="Other office")
    try:
        jurisdiction = make_jurisdiction(store, name=name, state="MD")
        make_facility(store, jurisdiction.id)
        target = folder / "baltimore.json"
        exchange.export_jurisdiction(store, jurisdiction.id, target)
    finally:
        store.close()
    target.chmod(0o644)
    return target


def names_in(path: Path) -> list[str]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return sorted(row[0] for row in connection.execute("SELECT name FROM jurisdiction"))
    finally:
        connection.close()


# ----------------------------------------------------------------------------- killing


# Imports Jurisdesk once, then for each "go PATH" line forks a child that runs TASK on PATH and
# prints the child's pid, so the test can kill it at any moment; "done PATH" after the task.
FORKING = """
import os, sys
from pathlib import Path
from app.services.store import open_store
from app.services import backup

def task(path):
{task}

print("ready", flush=True)
for line in sys.stdin:
    path = Path(line.split(maxsplit=1)[1].strip())
    pid = os.fork()
    if pid == 0:
        try:
            task(path)
            print(f"done {{path}}", flush=True)
        finally:
            os._exit(0)
    print(f"child {{pid}}", flush=True)
    os.waitpid(pid, 0)
    print("reaped", flush=True)
"""


class Killer:
    """Runs a task in forked children and kills each after a random delay."""

    def __init__(self, task: str) -> None:
        body = textwrap.indent(textwrap.dedent(task).strip(), "    ")
        self.process = subprocess.Popen(
            python_code(FORKING.format(task=body)),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=child_env(),
            cwd=REPO,
            bufsize=1,
        )
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def run_and_kill(
        self, path: Path, delay: float, *, after: Callable[[], bool] | None = None
    ) -> bool:
        """Starts the task on path, kills it after delay seconds; True if it finished first.

        after: wait until it is true (say, a temporary file appeared) before counting the
        delay, so the kill lands in that stage however slow the machine is today.
        """
        assert self.process.stdin is not None
        self.process.stdin.write(f"go {path}\n")
        self.process.stdin.flush()
        finished = False
        while not (line := self._line()).startswith("child "):
            assert line, "the forking process ended"
            finished = finished or line.startswith("done ")
        pid = int(line.split()[1])
        deadline = time.monotonic() + 30
        while after is not None and not after() and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        while (line := self._line()) != "reaped":
            finished = finished or line.startswith("done ")
            assert line, "the forking process ended"
        return finished

    def close(self) -> str:
        _out, errors = self.process.communicate(timeout=30)
        return errors
