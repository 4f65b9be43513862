"""Where Jurisdesk keeps its files: per-user folders and the bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "Jurisdesk"
APP_AUTHOR = "Jurisdesk"
DB_ENV_VAR = "JURISDESK_DB"
DB_FILENAME = "jurisdesk.sqlite"


def resource_path(*parts: str) -> Path:
    """A file under resources/, from a source checkout or from the PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    root = Path(bundle) if bundle else Path(__file__).resolve().parent.parent
    return root.joinpath("resources", *parts)


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def default_database_path() -> Path:
    """The database used when neither --db nor JURISDESK_DB names one."""
    from_env = os.environ.get(DB_ENV_VAR)
    if from_env:
        return Path(from_env).expanduser()
    return data_dir() / DB_FILENAME
