"""Where a database is: a file on this PC, or an office database on a PostgreSQL server.

Everything that takes a database (``--db``, ``JURISDESK_DB``, the recent list, File ▸ Connect
to office database…) takes either a file path or a ``postgresql://`` address. The address is
what IT hands out — ``postgresql://USER@HOST:PORT/DATABASE``, with libpq options such as
``?sslmode=require`` — and what is shown and remembered is that address without a password:
a password is asked for, or read from ``PGPASSWORD`` or ``~/.pgpass``, never kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

# What an address may start with: libpq's own two spellings, and SQLAlchemy's with the driver.
SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


class AddressError(ValueError):
    """An office database address that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class OfficeServer:
    """An office database on a PostgreSQL server, without any password."""

    database: str
    user: str | None = None
    host: str | None = None
    port: int | None = None
    # libpq options passed through as given (sslmode, sslrootcert, connect_timeout, host=/dir)
    options: tuple[tuple[str, str], ...] = ()

    @property
    def address(self) -> str:
        """The address as users and IT write it, without a password."""
        user = f"{quote(self.user, safe='')}@" if self.user else ""
        host = self.host or ""
        if ":" in host:
            host = f"[{host}]"  # an IPv6 address
        port = f":{self.port}" if self.port else ""
        query = f"?{urlencode(self.options, safe='/:')}" if self.options else ""
        return f"postgresql://{user}{host}{port}/{quote(self.database, safe='')}{query}"

    @property
    def server_name(self) -> str:
        """The server as a person would name it: its host, or "this PC" for a local socket."""
        options = dict(self.options)
        host = self.host or options.get("host") or ""
        if not host or host.startswith("/"):
            return "this PC"
        return host + (f":{self.port}" if self.port else "")

    def __str__(self) -> str:
        return self.address


Location = Path | OfficeServer


def is_server_address(text: str) -> bool:
    scheme, sep, _rest = text.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


def parse_server(text: str) -> OfficeServer:
    """An office server address; AddressError says what is wrong with it."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError as exc:
        raise AddressError(
            f"{text} is not a usable office database address ({exc}). Write it as "
            "postgresql://USER@SERVER:PORT/DATABASE, as your IT department gave it."
        ) from exc
    if parts.scheme.lower() not in SCHEMES:
        raise AddressError(
            f"{text} is not an office database address: it must start with postgresql://."
        )
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise AddressError(
            f"{text} names no database: write it as postgresql://USER@SERVER:PORT/DATABASE "
            "(the database's name comes after the last /)."
        )
    if parts.password:
        raise AddressError(
            f"The address {_without_password(text)} contains a password. Jurisdesk never "
            "stores passwords: leave it out of the address; Jurisdesk asks for it, or reads "
            "it from PGPASSWORD or your ~/.pgpass file."
        )
    if parts.fragment:
        raise AddressError(f"{text} has a '#' part, which an office database address cannot.")
    options = tuple(parse_qsl(parts.query, keep_blank_values=True))
    if any(key == "password" for key, _ in options):
        raise AddressError(
            f"The address {text.split('?')[0]} passes a password option. Jurisdesk never "
            "stores passwords: leave it out; Jurisdesk asks for it, or reads it from "
            "PGPASSWORD or ~/.pgpass."
        )
    return OfficeServer(
        database=database,
        user=unquote(parts.username) if parts.username else None,
        host=parts.hostname or None,
        port=port,
        options=options,
    )


def _without_password(text: str) -> str:
    parts = urlsplit(text)
    if parts.password is None:
        return text
    netloc = parts.netloc.replace(f":{parts.password}@", "@", 1)
    return parts._replace(netloc=netloc).geturl()


def parse_location(text: str | Path) -> Location:
    """A file path or an office server, from what the user typed or a setting held."""
    if isinstance(text, Path):
        return text
    if is_server_address(text):
        return parse_server(text)
    return Path(text).expanduser()
