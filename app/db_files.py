"""The files around a database: its lock, copies renamed into place, leftovers, network folders.

Everything written next to a database is first written under a temporary name in the same
folder (``.NAME.1a2b3c4d.part``), flushed to disk, and renamed into place only when complete,
so a process killed at any moment leaves either the old file or the new one, plus at most a
temporary file that the next opening removes.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
# SQLite's own files beside a database (and beside each temporary copy).
SIDECARS = ("-journal", "-wal", "-shm")
PART_SUFFIX = ".part"
# Creating or upgrading a big database takes a while; waiting longer than this for another
# process to finish means it is stuck.
LOCK_TIMEOUT_S = 120.0

# Set to "yes" to treat every database folder as a network folder (or "no": never), for file
# systems Jurisdesk does not recognise and for tests. Read once, when Jurisdesk starts.
NETWORK_ENV_VAR = "JURISDESK_NETWORK_FOLDER"
_NETWORK_OVERRIDE = os.environ.get(NETWORK_ENV_VAR, "").strip().lower()

# Linux file system types whose files live on another computer. SQLite's WAL needs memory
# shared between every process using the file, which no network file system provides.
NETWORK_FILE_SYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "9p",  # also how WSL shows Windows drives
        "afs",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "ncpfs",
        "davfs",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.s3fs",
        "fuse.glusterfs",
        "fuse.davfs2",
    }
)


def sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def temporary_name(target: Path) -> Path:
    """A hidden name in the target's folder; random, so two writers never share one."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{PART_SUFFIX}")


def temporary_pattern(name: str) -> re.Pattern[str]:
    """Temporary files (and their SQLite journals) of `name`: ``.NAME.1a2b3c4d.part-wal``.

    The random part is optional: earlier releases wrote ``.NAME.part``.
    """
    return re.compile(rf"\.{re.escape(name)}(\.[0-9a-f]{{8}})?{re.escape(PART_SUFFIX)}(-\w+)?")


def remove_quietly(path: Path) -> None:
    """Removes a file and SQLite's files beside it; one already gone is fine."""
    for each in (path, *(sidecar(path, s) for s in SIDECARS)):
        with contextlib.suppress(OSError):
            each.unlink()


def fsync_file(path: Path) -> None:
    # Opened for writing: Windows flushes only through a handle that may write.
    descriptor = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_folder(folder: Path) -> None:
    """Makes a rename in folder survive a power cut (POSIX; Windows has no such call)."""
    if os.name == "nt":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some network file systems refuse fsync on a folder; the rename still happened
    finally:
        os.close(descriptor)


def publish(partial: Path, target: Path) -> Path:
    """Renames a complete, flushed temporary file into place (replacing target)."""
    fsync_file(partial)
    os.replace(partial, target)
    fsync_folder(target.parent)
    return target


def copy_database(source: sqlite3.Connection, target: Path, *, check: bool = False) -> Path:
    """A consistent copy of source's database at target, or nothing at target.

    SQLite's backup API reads one snapshot even while other processes write. With check, the
    copy must pass ``PRAGMA quick_check`` before it is renamed into place, so a damaged
    database never replaces a good copy; sqlite3.DatabaseError says what is wrong.
    """
    partial = temporary_name(target)
    try:
        copy = sqlite3.connect(partial)
        try:
            # No journal: if anything fails the whole temporary file is thrown away, and
            # publish() flushes it to disk once it is complete.
            copy.execute("PRAGMA journal_mode=OFF")
            copy.execute("PRAGMA synchronous=OFF")
            source.backup(copy)
            if check:
                problems = [row[0] for row in copy.execute("PRAGMA quick_check(5)")]
                if problems != ["ok"]:
                    raise sqlite3.DatabaseError("; ".join(problems))
        finally:
            copy.close()
        return publish(partial, target)
    except BaseException:
        remove_quietly(partial)
        raise


def copy_file(source: Path, target: Path) -> Path:
    """A byte-for-byte copy renamed into place; for a file SQLite can no longer read."""
    partial = temporary_name(target)
    try:
        with source.open("rb") as reading, partial.open("wb") as writing:
            while block := reading.read(1 << 20):
                writing.write(block)
        return publish(partial, target)
    except BaseException:
        remove_quietly(partial)
        raise


# ----------------------------------------------------------------------------- the lock


class LockTimeout(Exception):
    """Another process held the database's lock for longer than it should."""


def lock_path(database: Path) -> Path:
    return database.with_name(f".{database.name}.lock")


@contextlib.contextmanager
def database_lock(database: Path, *, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Held while a database is created, upgraded, copied for the day, or restored.

    A separate file, never the database itself: a POSIX lock on the database would be
    dropped by SQLite's own closing of that file. The kernel releases it when its process
    dies, so a killed process never blocks the next one; the file is removed afterwards.
    OSError if the folder cannot be written, LockTimeout after `timeout` seconds.
    """
    path = lock_path(database)
    deadline = time.monotonic() + timeout
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            while not _try_lock(descriptor):
                if time.monotonic() > deadline:
                    raise LockTimeout(str(path))
                time.sleep(0.02)
            # The holder before us may have removed the file after we opened it: then we
            # locked a file nobody else will look at, and must start again.
            if _same_file(descriptor, path):
                break
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)
    try:
        yield
    finally:
        if os.name == "nt":
            # Windows cannot remove a file that is still open; unlock, close, then remove.
            _unlock(descriptor)
            os.close(descriptor)
            with contextlib.suppress(OSError):
                path.unlink()
        else:
            # Removed while still held, so a waiting process notices (see _same_file).
            with contextlib.suppress(OSError):
                path.unlink()
            os.close(descriptor)


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except OSError:
        return False
    held = os.fstat(descriptor)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(descriptor: int) -> bool:
        os.lseek(descriptor, 0, os.SEEK_SET)
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        os.lseek(descriptor, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(descriptor: int) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


# ----------------------------------------------------------------------------- leftovers


def is_cut_off(path: Path) -> bool:
    """Whether an SQLite file is shorter than its own header says (a copy that was cut off).

    Only meaningful without a write-ahead log beside it: the log may hold the missing pages.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        return True
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return False  # not a header SQLite wrote: SQLite itself says what is wrong
    pages = int.from_bytes(header[28:32], "big")
    # SQLite trusts the page count only when the "version valid for" number matches the
    # change counter; older writers left it stale.
    if pages == 0 or header[24:28] != header[92:96]:
        return False
    return size < page_size * pages


# ----------------------------------------------------------------------------- network folders


def is_network_folder(folder: Path) -> bool:
    """Whether folder is on another computer (NFS, SMB/CIFS, 9P, sshfs…, a Windows share).

    JURISDESK_NETWORK_FOLDER=yes or =no overrides the detection.
    """
    if _NETWORK_OVERRIDE in ("yes", "1", "true"):
        return True
    if _NETWORK_OVERRIDE in ("no", "0", "false"):
        return False
    folder = _existing(folder)
    if sys.platform == "win32":
        return _is_windows_remote(folder)
    if sys.platform.startswith("linux"):
        return linux_file_system(folder) in NETWORK_FILE_SYSTEMS
    return False


def _existing(folder: Path) -> Path:
    """The folder, or the nearest folder above it that exists (a new database's folder may not)."""
    folder = folder.absolute()
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def linux_file_system(folder: Path, mountinfo: str | None = None) -> str | None:
    """The type of the file system holding folder, from /proc/self/mountinfo."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = os.path.realpath(folder)
    found: tuple[int, str] | None = None
    for line in mountinfo.splitlines():
        # "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=…"
        before, separator, after = line.partition(" - ")
        fields, rest = before.split(), after.split()
        if not separator or len(fields) < 5 or not rest:
            continue
        mount_point = _unescape(fields[4])
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        # The longest mount point containing the folder wins; of equal ones the later, which
        # was mounted on top.
        if inside and (found is None or len(mount_point) >= found[0]):
            found = (len(mount_point), rest[0])
    return None if found is None else found[1]


def _unescape(text: str) -> str:
    # mountinfo writes space, tab, newline and backslash as octal escapes (\040 and so on).
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)


if sys.platform == "win32":
    import ctypes

    DRIVE_REMOTE = 4

    def _is_windows_remote(folder: Path) -> bool:
        text = str(folder)
        if text.startswith("\\\\?\\UNC\\"):
            return True
        text = text.removeprefix("\\\\?\\")
        if text.startswith("\\\\"):
            return True  # \\server\share\…
        drive = os.path.splitdrive(text)[0]
        if not drive:
            return False
        return bool(ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE)
