"""The jurisdesk command: starts the desktop app, or runs one task from a terminal or script.

Exit codes: 0 success, 1 a problem found (``check``: the database's record is damaged),
2 bad input or a refused file, 70 a bug in Jurisdesk (details in the log).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from app import __version__
from app.locations import AddressError, Location, OfficeServer, parse_location
from app.logs import append_to_log
from app.paths import (
    DB_ENV_VAR,
    demo_database_path,
    effective_default_database,
    log_dir,
    managed_settings_path,
    user_database_path,
)
from app.reports.cli import add_commands as add_report_commands
from app.services.errors import UserError

if TYPE_CHECKING:
    # The database layer (SQLAlchemy) loads when a command opens a database: the desktop app
    # shows its window first.
    from app.services.store import Store

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE from sysexits.h
# What `check` counted, when it counted one.
_ONE = {
    "audit trail entries": "audit trail entry",
    "evidence files": "evidence file",
    "filed letters": "filed letter",
    "detainer statistics": "detainer statistics record",
    "responses": "response",
    "answers": "answer",
}


def _log_unexpected_error(error: BaseException) -> Path:
    header = f"--- {datetime.now().isoformat(timespec='seconds')} {sys.argv!r}"
    details = "".join(traceback.format_exception(error)).rstrip()
    return append_to_log(log_dir() / "jurisdesk-cli.log", f"{header}\n{details}")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line naming the problem, as for every other user error; usage is behind --help.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _location(text: str) -> Location:
    try:
        return parse_location(text)
    except AddressError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


# As long as the audit trail keeps a name (an office database refuses longer text).
ACTOR_MAX_CHARS = 200


def _actor(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise argparse.ArgumentTypeError('give a staff name, e.g. --as "Maria Garcia"')
    if len(name) > ACTOR_MAX_CHARS:
        raise argparse.ArgumentTypeError(
            f"a staff name of at most {ACTOR_MAX_CHARS} characters (this one has {len(name)})"
        )
    return name


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a valid id")
    return value


def _chain_head(text: str) -> tuple[int, str]:
    number, _, digest = text.strip().lstrip("#").replace(" ", ":", 1).partition(":")
    digest = digest.strip().lower()
    if not number.isdigit() or int(number) < 1:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a chain head; write it as printed, e.g. 412:3f5a9c0e12ab45cd"
        )
    if len(digest) < 8 or len(digest) > 64 or any(c not in "0123456789abcdef" for c in digest):
        raise argparse.ArgumentTypeError(
            f"“{text}”: give at least the first 8 characters of the hash (0-9, a-f) after "
            "the entry number"
        )
    return int(number), digest


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="jurisdesk",
        description="Jurisdesk: record a jurisdiction's facts, answer federal questionnaires, "
        "and export the answers. Without a command it starts the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"Jurisdesk {__version__}")
    default = (
        f"${DB_ENV_VAR}, else the [database] path in {managed_settings_path()}, "
        f"else {user_database_path()}"
    )
    parser.add_argument(
        "--db",
        type=_location,
        metavar="PATH|ADDRESS",
        help=f"database file, or an office database's address "
        f"postgresql://USER@SERVER:PORT/DATABASE (default: {default})".replace("%", "%%"),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=f"start the desktop app on the demo's own file, {demo_database_path()}, with "
        "the four sample cities (your own database is not touched)".replace("%", "%%"),
    )
    parser.add_argument(
        "--as",
        dest="actor",
        type=_actor,
        metavar="NAME",
        help="staff name for the audit trail (default: OS user)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    commands.add_parser("demo", help="load the four demo cities (safe to repeat)").set_defaults(
        handler=cmd_demo
    )
    listing = commands.add_parser("list", help="list jurisdictions and their responses")
    listing.set_defaults(handler=cmd_list)
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")

    export = commands.add_parser("export-json", help="write one jurisdiction to an exchange file")
    export.add_argument("--jurisdiction", type=_positive_int, required=True, metavar="ID")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    export.set_defaults(handler=cmd_export_json)

    importing = commands.add_parser("import-json", help="read an exchange file")
    importing.add_argument("file", type=Path, metavar="FILE")
    importing.set_defaults(handler=cmd_import_json)

    checking = commands.add_parser(
        "check",
        help="check the database's integrity and its audit trail (exit 1 if damaged)",
        description="Checks the database file, its audit trail (a hash chain) and every "
        "approved record, filed letter, evidence file and response status against it. "
        "Exit status: 0 all holds; 1 the record is damaged (the first broken link is named "
        "first); 2 the file cannot be checked (bad input); 70 a bug in Jurisdesk.",
    )
    checking.add_argument("--json", action="store_true", help="print JSON for scripts")
    checking.add_argument(
        "--head",
        dest="heads",
        action="append",
        type=_chain_head,
        default=[],
        metavar="N:HASH",
        help="a chain head as printed on a report or kept with a letter, e.g. "
        "412:3f5a9c0e12ab45cd; the check fails unless the trail still holds it (repeatable)",
    )
    checking.set_defaults(handler=cmd_check)

    backup = commands.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("--out", type=Path, required=True, metavar="FILE")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(handler=cmd_backup)

    copying = commands.add_parser(
        "copy",
        help="copy the whole database into a new file or an empty office database",
        description="Copies every record of the database (--db) into TARGET: a new file, or "
        "an empty office database postgresql://USER@SERVER:PORT/DATABASE (set up if it has "
        "no tables), or back from an office database into a new file. Ids, versions, "
        "evidence files, approved records, filed letters and the audit trail are copied as "
        "they are, so the copy's trail ends at the same chain head. A target that already "
        "holds records is refused; a copy that fails leaves nothing behind. The copy is then "
        "checked as `check` does. Exit status: 0 copied and all holds; 1 copied, but the "
        "check found problems (they were in the database copied); 2 refused, nothing copied.",
    )
    copying.add_argument(
        "--to",
        dest="target",
        type=_location,
        required=True,
        metavar="PATH|ADDRESS",
        help="the new file, or the empty office database's address",
    )
    copying.set_defaults(handler=cmd_copy)

    upgrade = commands.add_parser(
        "upgrade",
        help="upgrade the database to this Jurisdesk's schema (for IT: office databases)",
        description="Upgrades the database to this version of Jurisdesk's schema. A file is "
        "upgraded when Jurisdesk opens it (after a copy in backups/); an office database on "
        "a server never is: IT runs this once, after the office has closed Jurisdesk. It "
        "first backs the database up with pg_dump (to --backup FILE, by default a .dump file "
        "in the current folder), then upgrades it. An empty database is set up.",
    )
    upgrade.add_argument(
        "--backup",
        type=Path,
        metavar="FILE",
        help="where pg_dump writes the backup made first (custom format, for pg_restore)",
    )
    upgrade.add_argument(
        "--no-backup",
        action="store_true",
        help="skip that backup, because you made your own just now",
    )
    upgrade.set_defaults(handler=None, file_handler=cmd_upgrade)

    restore = commands.add_parser(
        "restore",
        help="replace the database with a backup copy (the current one is kept in backups/)",
        description="Checks FILE (a Jurisdesk database, not newer than this version, passing "
        "SQLite's integrity check), copies the current database into the backups folder "
        "beside it, then puts a copy of FILE in its place. Close Jurisdesk everywhere first.",
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    # Restoring must work on a database too damaged to open, so it never opens it.
    restore.set_defaults(handler=None, file_handler=cmd_restore)

    add_report_commands(commands, record_id=_positive_int)
    return parser


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def cmd_demo(store: Store, _args: argparse.Namespace) -> int:
    from app.services import demo

    result = demo.load_demo(store)
    created, existing = len(result.created), len(result.existing)
    print(f"Demo jurisdictions loaded: {created} new, {existing} already there.")
    return EXIT_OK


def cmd_list(store: Store, args: argparse.Namespace) -> int:
    from app.services import jurisdictions, responses

    by_jurisdiction: dict[int, list[responses.ResponseSummary]] = {}
    for summary in responses.list_responses(store):
        by_jurisdiction.setdefault(summary.jurisdiction_id, []).append(summary)
    rows: list[dict[str, Any]] = []
    for j in jurisdictions.overview(store):
        rows.append(
            {
                "id": j.id,
                "uuid": j.uuid,
                "name": j.name,
                "state": j.state,
                "facilities": j.facilities,
                "responses": [
                    {
                        "id": r.id,
                        "questionnaire": r.questionnaire_key,
                        "questionnaire_version": r.questionnaire_version,
                        "title": r.questionnaire_title,
                        "status": r.status,
                        "due_on": r.due_on,
                        "complete_percent": r.completeness.percent,
                        "missing": len(r.completeness.missing),
                    }
                    for r in by_jurisdiction.get(j.id, [])
                ],
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False, default=_json_default))
        return EXIT_OK
    if not rows:
        print("No jurisdictions yet. Add one in the app, or run `jurisdesk demo`.")
    for row in rows:
        noun = "facility" if row["facilities"] == 1 else "facilities"
        print(f"{row['id']:>5}  {row['name']} ({row['state']}), {row['facilities']} {noun}")
        for r in row["responses"]:
            due = f", due {r['due_on']}" if r["due_on"] else ""
            print(
                f"       response {r['id']}: {r['title']} v{r['questionnaire_version']} — "
                f"{r['status']}, {r['complete_percent']}% complete{due}"
            )
    return EXIT_OK


def cmd_export_json(store: Store, args: argparse.Namespace) -> int:
    from app.services import exchange

    result = exchange.export_jurisdiction(store, args.jurisdiction, args.out)
    print(f"Exported to {result.path}")
    return EXIT_OK


def cmd_import_json(store: Store, args: argparse.Namespace) -> int:
    from app.services import exchange

    result = exchange.import_file(store, args.file)
    print(result.describe())
    return EXIT_OK


def cmd_check(store: Store, args: argparse.Namespace) -> int:
    from app.services import integrity

    report = integrity.check(store, anchors=args.heads)
    first = report.first_broken_link
    if args.json:
        entry = first.entry if first is not None else None
        document = {
            "ok": report.ok,
            "chain_head": None
            if report.head is None
            else {"sequence": report.head.sequence, "hash": report.head.entry_hash},
            "first_broken_link": None
            if first is None or entry is None
            else {
                "sequence": entry.sequence,
                "at": entry.at,
                "actor": entry.actor,
                "what": entry.what,
                "imported_from": entry.imported_from,
                "problem": first.problem,
            },
            "problems": report.problems,
            "checked": report.checked,
        }
        print(json.dumps(document, indent=2, ensure_ascii=False, default=_json_default))
        return EXIT_OK if report.ok else EXIT_PROBLEMS
    if report.head is not None:
        entries = report.checked.get("audit trail entries", 0)
        print(
            f"Audit trail: {entries:,} entries; the newest (the chain head) is "
            f"#{report.head.sequence} {report.head.short} (SHA-256 {report.head.entry_hash})."
        )
    if first is not None:
        print(f"FIRST BROKEN LINK: {first.problem}")
    others = [p for p in report.problems if first is None or p != first.problem]
    if others:
        print("Also found:" if first is not None else "Found:")
        for problem in others:
            print(f"- {problem}")
    counted = ", ".join(
        f"{n} {what if n != 1 else _ONE.get(what, what)}" for what, n in report.checked.items()
    )
    print(f"{'OK' if report.ok else 'PROBLEMS FOUND'}: checked {counted}.")
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def cmd_backup(store: Store, args: argparse.Namespace) -> int:
    from app.services import backup

    target = backup.backup_to(store, args.out, replace=args.force)
    print(f"Backup written to {target}")
    return EXIT_OK


def cmd_copy(store: Store, args: argparse.Namespace) -> int:
    from app.services import copying

    result = copying.copy_database(store, args.target, actor=args.actor)
    noun = "record" if result.total == 1 else "records"
    print(f"Copied {result.total:,} {noun} from {store.location} to {result.target}:")
    for line in result.count_lines():
        print(f"  {line}")
    report = result.report
    entries = report.checked.get("audit trail entries", 0)
    trail = f"{entries:,} audit trail {'entry' if entries == 1 else 'entries'}"
    head = "no chain head yet" if report.head is None else f"chain head {report.head}"
    if result.ok:
        print(f"Check of {result.target}: all holds ({trail}, {head}).")
        return EXIT_OK
    print(f"Check of {result.target}: PROBLEMS FOUND ({trail}, {head}).")
    first = report.first_broken_link
    if first is not None:
        print(f"FIRST BROKEN LINK: {first.problem}")
    for problem in [*result.problems, *report.problems]:
        if first is None or problem != first.problem:
            print(f"- {problem}")
    return EXIT_PROBLEMS


def cmd_upgrade(location: Location, args: argparse.Namespace) -> int:
    if not isinstance(location, OfficeServer):
        from app.services.store import open_store

        # A file is upgraded on opening, after a copy in backups/ beside it.
        store = open_store(location, actor=args.actor, create=False)
        try:
            backup = store.database.backup_path
            print(
                f"{location} is at schema version {store.database.schema_revision}"
                + (f"; the copy made before upgrading it is {backup}." if backup else ".")
            )
        finally:
            store.close()
        return EXIT_OK
    return _upgrade_office_database(location, args)


def _upgrade_office_database(server: OfficeServer, args: argparse.Namespace) -> int:
    from app import db, db_server

    try:
        before = db_server.server_revision(server)
        head = db.head_revision()
        if before == head:
            print(f"{server} is already at schema version {head}; nothing to do.")
            return EXIT_OK
        if before is not None and before not in db.known_revisions():
            raise UserError(db_server.newer_message(server, before))
        if before is not None and not args.no_backup:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            target = args.backup or Path(f"{server.database}-before-upgrade-{before}-{stamp}.dump")
            print(f"Backing up {server} with pg_dump to {target} …")
            db_server.dump_server(server, target.expanduser())
            print(f"Backup written to {target}")
        before, after = db_server.upgrade_server(server)
    except db.DatabaseError as exc:
        raise UserError(str(exc)) from exc
    if before is None:
        print(f"{server} is set up for Jurisdesk (schema version {after}).")
    else:
        print(f"{server} is upgraded from schema version {before} to {after}.")
    return EXIT_OK


def cmd_restore(location: Location, args: argparse.Namespace) -> int:
    from app.services import restore

    if isinstance(location, OfficeServer):
        raise UserError(
            f"{location} is an office database on a server: Jurisdesk does not replace it. "
            "IT restores it with pg_restore (docs/office-database.md); or copy a Jurisdesk file "
            f"into a new, empty database with `jurisdesk --db FILE copy --to {location}`."
        )
    database = location
    result = restore.restore_database(database, args.file)
    if result.kept_copy is not None:
        print(f"The database as it was is kept in {result.kept_copy}")
    print(f"Restored {result.database} from {result.source}")
    return EXIT_OK


CREATING_COMMANDS = {"demo", "import-json"}


def _chosen_database(args: argparse.Namespace, problems: list[str]) -> Location | None:
    """--db, or the default database (what is wrong with the settings printed, and added to
    problems); None, said, for an address that cannot be read."""
    try:
        path: Location = args.db or effective_default_database(problems)
    except AddressError as exc:
        print(f"jurisdesk: error: {exc}", file=sys.stderr)
        return None
    _print_notes(problems)
    return path


def _start_gui(args: argparse.Namespace) -> int:
    try:
        from ui.application import run
    except ImportError as exc:
        if "PySide6" in str(exc) or "ui" in str(exc):
            print(
                "jurisdesk: error: the desktop part of Jurisdesk is not installed "
                f"({exc}). Use a command such as `jurisdesk list`, or install with `make run`.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        raise
    if args.demo:
        try:
            demo_path = prepare_demo_database(actor=args.actor)
        except Exception as exc:
            return _failed(exc, demo_database_path())
        return int(run(demo_path, actor=args.actor))
    problems: list[str] = []
    path = _chosen_database(args, problems)
    if path is None:
        return EXIT_USAGE
    # Nothing names a database and there is none yet: the window asks before creating one.
    first_start = (
        args.db is None
        and isinstance(path, Path)
        and path == user_database_path()
        and not path.exists()
    )
    return int(run(path, actor=args.actor, first_start=first_start, notices=problems))


def prepare_demo_database(actor: str | None = None) -> Path:
    """The demo's own file, created and filled with the four cities if new or empty."""
    from app.services import demo

    return demo.prepare_demo_database(demo_database_path(), actor=actor)


def _print_notes(notes: Sequence[str]) -> None:
    for note in notes:
        print(f"jurisdesk: note: {note}", file=sys.stderr)


def _failed(exc: BaseException, location: Location) -> int:
    """The exit code for an error, after saying it in one line."""
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`jurisdesk list | head`): nothing to say, and nowhere to say
        # it. Python would complain again when flushing stdout at exit, so point it elsewhere.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PROBLEMS
    if isinstance(exc, UserError):
        print(f"jurisdesk: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, KeyboardInterrupt):
        return 130
    # A full disk or a damaged file met outside a use case's session is still the
    # user's to fix, not a bug.
    from app.services.store import describe_location_failure

    message = describe_location_failure(exc, location) if isinstance(exc, Exception) else None
    if message is not None:
        print(f"jurisdesk: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    # Our bug, not the user's: keep the details in the log, say so in one line.
    log_path = _log_unexpected_error(exc)
    print(
        f"jurisdesk: internal error — this is a bug in Jurisdesk, not your input. "
        f"Details were written to {log_path}.",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo and args.command is not None:
        parser.error("--demo starts the desktop app; run commands on the demo with --db PATH")
    if args.demo and args.db is not None:
        parser.error("--demo opens the demo's own file; leave out --db")
    if args.command is None:
        return _start_gui(args)
    handler: Callable[[Store, argparse.Namespace], int] | None = args.handler
    problems: list[str] = []
    path = _chosen_database(args, problems)
    if path is None:
        return EXIT_USAGE
    try:
        if handler is None:
            file_handler: Callable[[Location, argparse.Namespace], int] = args.file_handler
            return int(file_handler(path, args))
        # Only commands that add data may create a database; a mistyped --db must not
        # silently produce an empty one.
        from app.services.store import open_store

        store = open_store(path, actor=args.actor, create=args.command in CREATING_COMMANDS)
        try:
            for notice in store.notices:
                print(f"jurisdesk: note: {notice}", file=sys.stderr)
            return int(handler(store, args))
        finally:
            store.close()
    except (Exception, KeyboardInterrupt) as exc:
        return _failed(exc, path)


if __name__ == "__main__":
    sys.exit(main())
