"""Where Jurisdesk keeps its files: per-user folders and the bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from app.locations import AddressError, Location, is_server_address, parse_location, parse_server

APP_NAME = "Jurisdesk"
APP_AUTHOR = "Jurisdesk"
DB_ENV_VAR = "JURISDESK_DB"
DB_FILENAME = "jurisdesk.sqlite"


def resource_path(*parts: str) -> Path:
    """A file under resources/: in the PyInstaller bundle, in the installed package (the wheel
    carries resources/ inside app/, see setup.py), or in a source checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle).joinpath("resources", *parts)
    packaged = Path(__file__).resolve().parent / "resources"
    if packaged.is_dir():
        return packaged.joinpath(*parts)
    return Path(__file__).resolve().parent.parent.joinpath("resources", *parts)


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def cache_dir() -> Path:
    """What Jurisdesk can rebuild at any time; deleting it loses nothing."""
    return Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def user_database_path() -> Path:
    """The per-user database: used when nothing else (option, variable, IT file) names one."""
    return data_dir() / DB_FILENAME


def demo_database_path() -> Path:
    """The demo's own file, so sample cities never mix with an office's real records."""
    return data_dir() / "jurisdesk-demo.sqlite"


def managed_settings_path() -> Path:
    """The machine-wide settings file a city's IT can deploy; JURISDESK_MANAGED_SETTINGS names
    another one (tests, or an unusual installation)."""
    override = os.environ.get("JURISDESK_MANAGED_SETTINGS")
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        program_data = os.environ.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(program_data) / APP_NAME / "jurisdesk.ini"
    if sys.platform == "darwin":
        return Path("/Library/Application Support") / APP_NAME / "jurisdesk.ini"
    return Path("/etc/jurisdesk/jurisdesk.ini")


def managed_database_path(problems: list[str] | None = None) -> Location | None:
    """The database named by IT in the machine-wide settings file (`[database] path = …`):
    a file, or an office database's postgresql:// address.

    None when there is no such file or it names no database. A file that cannot be read or
    understood is reported (appended to problems, else logged as a warning) and ignored, so
    Jurisdesk falls back to the per-user default.
    """
    import configparser
    import logging

    settings_file = managed_settings_path()

    def problem(what: str) -> None:
        text = (
            f"The Jurisdesk settings file {settings_file} {what}; it is ignored and the "
            "per-user database is used instead. Ask your IT department to correct it."
        )
        if problems is None:
            logging.getLogger("jurisdesk").warning(text)
        else:
            problems.append(text)

    if not settings_file.is_file():
        return None
    # No interpolation: Windows paths may hold %VARIABLES%, expanded below.
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with settings_file.open(encoding="utf-8-sig") as source:
            parser.read_file(source)
    except UnicodeDecodeError:
        problem("is not a text file (UTF-8)")
        return None
    except OSError as exc:
        problem(f"cannot be read ({exc.strerror or exc})")
        return None
    except configparser.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        problem(f"is not a valid settings file ({first_line})")
        return None
    if not parser.has_option("database", "path"):
        return None
    raw = parser.get("database", "path").strip().strip('"')
    if not raw:
        problem("has an empty `path` under [database]")
        return None
    if is_server_address(raw):
        try:
            return parse_server(raw)
        except AddressError as exc:
            problem(f"names an office database address that cannot be used: {exc}")
            return None
    path = Path(os.path.expandvars(os.path.expanduser(raw)))
    if not path.is_absolute():
        problem(f"names “{raw}” under [database]; write the database's full path")
        return None
    return path


def effective_default_database(problems: list[str] | None = None) -> Location:
    """The database used when --db names none: JURISDESK_DB, else the IT-managed settings
    file, else the per-user default. Problems with the settings file go to problems; an
    unusable address in JURISDESK_DB raises AddressError (naming the variable)."""
    from_env = os.environ.get(DB_ENV_VAR)
    if from_env:
        try:
            return parse_location(from_env)
        except AddressError as exc:
            raise AddressError(f"{DB_ENV_VAR}: {exc}") from exc
    managed = managed_database_path(problems)
    if managed is not None:
        return managed
    return user_database_path()
