"""This process's resident memory and its peak, from Linux's /proc, in bytes.

getrusage's ru_maxrss will not do for a child process: Linux carries the parent's peak over
into the child at exec, so a child started by a big parent starts with a big peak.
"""

from __future__ import annotations

import contextlib
from pathlib import Path


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def start_peak() -> int:
    """Starts measuring the peak afresh from now; returns the memory in use now."""
    # "5" resets the peak (VmHWM) to what is resident now (Linux 4.0 and later). Where that
    # is not allowed, the peak also counts start-up: a little more than the truth.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _status("VmRSS")


def peak() -> int:
    """The most memory resident at once since start_peak()."""
    return _status("VmHWM")
