"""Names suggested in the save dialogs."""

from __future__ import annotations


def file_stem(*parts: str) -> str:
    """A file name people recognise, safe on every file system: "City of Albuquerque - letter"."""
    text = " - ".join(p for p in parts if p)
    safe = "".join(ch if ch.isalnum() or ch in " -_.,()" else "_" for ch in text)
    return " ".join(safe.split()).strip(" .") or "jurisdesk"
