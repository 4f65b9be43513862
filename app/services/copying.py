"""Copying a whole database into another: a file into an office database and back, or an
office database into a file on this PC (its backup copy, see app.services.backup).

Every row of every table is copied as it is, in one transaction on the target: the same ids,
uuids, version counters, times and bytes. The copy's audit trail is therefore the very same
hash chain (same entries, same hashes, same head), and approved records, filed letters and
evidence files still hold against it. The copy adds nothing to that trail: an entry saying
"copied" would make the two trails differ, and the trail of the copy would no longer prove
that it is the same record.

The source is read in one snapshot, so a colleague saving meanwhile changes neither half of
it. The target must hold no records yet: a new file, an existing Jurisdesk file with no
records, or an empty office database (set up here if it has no tables). Either every row is
copied or nothing is: a new file is built under a temporary name and renamed into place only
when complete; a database that already existed is written in one transaction, rolled back on
failure. Afterwards the target is checked as `jurisdesk check` checks it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

from app.db import (
    DatabaseError,
    is_disk_full,
    open_database,
    raw_connection,
    set_aside_orphans,
)
from app.db_files import (
    LockTimeout,
    database_lock,
    publish,
    remove_quietly,
    sidecar,
    temporary_name,
)
from app.locations import Location, OfficeServer, parse_location
from app.models import Base
from app.progress import CancelCheck, Progress, check
from app.services import audit, integrity
from app.services.audit import ChainHead
from app.services.errors import UserError
from app.services.store import Store, open_store

# Rows written per INSERT; rows of tables holding files (evidence, filed letters: up to 25 MB
# each) fewer, so that only a few files are in memory at a time.
BATCH_ROWS = 500
FILE_BATCH_ROWS = 4
FILE_BATCH_BYTES = 16 * 1_048_576
# How many rows a refusal names before "and N more".
NAMED_PROBLEMS = 10

# What users call the rows of each table: one, several.
TABLE_WORDS: dict[str, tuple[str, str]] = {
    "audit_entry": ("audit trail entry", "audit trail entries"),
    "jurisdiction": ("jurisdiction", "jurisdictions"),
    "office_setting": ("office setting", "office settings"),
    "staff_member": ("staff member", "staff members"),
    "contact": ("contact", "contacts"),
    "facility": ("facility", "facilities"),
    "federal_request": ("federal request", "federal requests"),
    "grant_award": ("grant award", "grant awards"),
    "legal_instrument": ("legal instrument", "legal instruments"),
    "detainer_statistic": ("detainer statistics record", "detainer statistics records"),
    "evidence": ("evidence file", "evidence files"),
    "grant_condition": ("grant condition", "grant conditions"),
    "response": ("response", "responses"),
    "answer": ("answer", "answers"),
    "filed_document": ("filed letter", "filed letters"),
    "answer_evidence": ("answer's citation of evidence", "answers' citations of evidence"),
    "answer_instrument": (
        "answer's citation of an instrument",
        "answers' citations of instruments",
    ),
}
# The columns that name a row to users, in the order they are tried.
_NAME_COLUMNS = ("name", "title", "filename", "key", "program")
# How fields read in a refusal.
_FIELD_WORDS = {
    "value": "answer",
    "entity_label": "label",
    "old_value": "old value",
    "new_value": "new value",
    "letterhead_address": "letterhead address",
}


def counted(table: str, number: int) -> str:
    """ "3 jurisdictions", "1 audit trail entry"."""
    one, several = TABLE_WORDS.get(table, (table, table))
    return f"{number:,} {one if number == 1 else several}"


@dataclass(frozen=True)
class CopyResult:
    """What was copied where, and what the check of the copy found."""

    source: Location
    target: Location
    # Rows copied per table, in the order they were copied (parents before children).
    counts: dict[str, int]
    # The newest entry of the trail in the source's snapshot, and in the copy (the same).
    source_head: ChainHead | None
    report: integrity.IntegrityReport
    problems: list[str] = field(default_factory=list)

    @property
    def head(self) -> ChainHead | None:
        """The copy's chain head, as its check found it."""
        return self.report.head

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def ok(self) -> bool:
        """The copy checks clean, and its trail ends where the source's did."""
        return self.report.ok and not self.problems

    def count_lines(self) -> list[str]:
        """The tables that had rows, as users count them: "4 jurisdictions"."""
        return [counted(table, n) for table, n in self.counts.items() if n]


# ----------------------------------------------------------------------------- tables


def _plain_type(column_type: TypeEngine[Any]) -> TypeEngine[Any]:
    # The stored value as it is: no vocabulary check and no time zone added or removed on the
    # way, so what was stored (even by another tool) is what is written.
    if isinstance(column_type, TypeDecorator):
        return _plain_type(column_type.impl_instance)
    return column_type


def copied_tables() -> list[Table]:
    """Every table of the schema, parents before children, with plain column types and no
    defaults: rows go in exactly as they come out. Alembic's own table is not among them:
    each database keeps its own, at the same revision."""
    metadata = MetaData()
    return [
        Table(
            table.name,
            metadata,
            *(
                Column(
                    column.name,
                    _plain_type(column.type),
                    primary_key=column.primary_key,
                    autoincrement=False,
                )
                for column in table.columns
            ),
        )
        for table in Base.metadata.sorted_tables
    ]


def _holds_files(table: Table) -> bool:
    return any(isinstance(column.type, LargeBinary) for column in table.columns)


def _row_bytes(row: Mapping[str, Any]) -> int:
    return sum(len(value) for value in row.values() if isinstance(value, bytes | bytearray))


# ----------------------------------------------------------------------------- the source


@contextlib.contextmanager
def _described(store: Store) -> Iterator[None]:
    """A failure of store's database said as its own (not blamed on the other one)."""
    try:
        yield
    except DBAPIError as exc:
        message = store.describe_failure(exc)
        if message is None:
            raise
        raise UserError(f"Reading {store.location} failed: {message}") from exc


class _Source:
    """The source database, read in one snapshot; its failures are said as its own."""

    def __init__(self, store: Store, connection: Connection) -> None:
        self.store = store
        self.connection = connection

    def counts(self, tables: Sequence[Table]) -> dict[str, int]:
        with _described(self.store):
            return _counts(self.connection, tables)

    def head(self) -> ChainHead | None:
        with _described(self.store):
            return audit.head_in(self.connection)

    def batches(
        self, table: Table, columns: Sequence[Column[Any]] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """The table's rows in key order, a batch at a time (streamed, never all at once)."""
        files = _holds_files(table) and columns is None
        size = FILE_BATCH_ROWS if files else BATCH_ROWS
        statement = select(*(columns if columns is not None else table.columns)).order_by(
            *table.primary_key.columns
        )
        with _described(self.store):
            result = self.connection.execute(statement, execution_options={"yield_per": size})
            try:
                batch: list[dict[str, Any]] = []
                held = 0
                for partition in result.mappings().partitions(size):
                    for row in partition:
                        batch.append(dict(row))
                        held += _row_bytes(batch[-1]) if files else 0
                        if len(batch) >= size or held >= FILE_BATCH_BYTES:
                            yield batch
                            batch, held = [], 0
                if batch:
                    yield batch
            finally:
                result.close()


@contextlib.contextmanager
def _snapshot(store: Store) -> Iterator[_Source]:
    """The source in one read transaction: what every table holds at one moment."""
    with _described(store):
        connection = store.engine.connect()
    try:
        with _described(store):
            if connection.dialect.name == "postgresql":
                # One snapshot for every statement, as SQLite's read transaction gives.
                connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            transaction = connection.begin()  # SQLite: BEGIN (app.db); the snapshot follows
        try:
            yield _Source(store, connection)
        finally:
            with contextlib.suppress(DBAPIError):
                transaction.rollback()  # it only read
    finally:
        connection.close()


def _counts(connection: Connection, tables: Sequence[Table]) -> dict[str, int]:
    return {
        table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
        for table in tables
    }


def _revision(connection: Connection) -> str | None:
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


# ----------------------------------------------------------------------------- refusals


def _same_database(store: Store, target: Location) -> bool:
    if isinstance(target, OfficeServer):
        server = store.server

        def where(s: OfficeServer) -> tuple[object, ...]:
            return (s.host or dict(s.options).get("host"), s.port, s.database)

        return server is not None and where(server) == where(target)
    return store.path is not None and Path(target).resolve() == store.path.resolve()


def _refuse_same(store: Store, target: Location) -> None:
    if _same_database(store, target):
        raise UserError(f"{target} is the database being copied; choose another target.")


def _short(value: str, limit: int = 60) -> str:
    shown = " ".join(value.replace("\x00", "").split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _row_name(table: str, row: Mapping[str, Any]) -> str:
    if table == "audit_entry":
        return f"Audit trail entry #{row.get('sequence')}"
    if table == "answer":
        return (
            f"The answer to question “{row.get('question_key')}” in response "
            f"{row.get('response_id')}"
        )
    one = TABLE_WORDS.get(table, (table.replace("_", " "), ""))[0]
    name = next((row[c] for c in _NAME_COLUMNS if isinstance(row.get(c), str) and row[c]), None)
    shown = f" “{_short(name)}”" if name else ""
    key = f" (id {row['id']})" if "id" in row else ""
    return f"The {one}{shown}{key}"


def _unstorable(source: _Source, tables: Sequence[Table]) -> list[tuple[str, str]]:
    """Text PostgreSQL cannot store and SQLite can: NUL characters, and text longer than the
    column allows (SQLite does not enforce lengths). (table, problem) for each value."""
    found: list[tuple[str, str]] = []
    for table in tables:
        texts = [c for c in table.columns if isinstance(c.type, String)]
        if not texts:
            continue
        shown = [c for c in table.columns if not isinstance(c.type, LargeBinary)]
        for batch in source.batches(table, shown):
            for row in batch:
                for column in texts:
                    value = row[column.name]
                    if not isinstance(value, str):
                        continue
                    words = _FIELD_WORDS.get(column.name, column.name.replace("_", " "))
                    limit: int | None = getattr(column.type, "length", None)
                    if "\x00" in value:
                        found.append(
                            (
                                table.name,
                                f"{_row_name(table.name, row)} contains an invisible NUL "
                                f"character in its {words} (usually pasted from another "
                                "program), which an office database cannot store.",
                            )
                        )
                    elif limit is not None and len(value) > limit:
                        found.append(
                            (
                                table.name,
                                f"{_row_name(table.name, row)}: its {words} is "
                                f"{len(value):,} characters long, but an office database "
                                f"stores at most {limit:,} there.",
                            )
                        )
    return found


def _refuse_unstorable(source: _Source, tables: Sequence[Table], target: Location) -> None:
    found = _unstorable(source, tables)
    if not found:
        return
    lines = [problem for _table, problem in found[:NAMED_PROBLEMS]]
    if len(found) > NAMED_PROBLEMS:
        lines.append(f"… and {len(found) - NAMED_PROBLEMS:,} more.")
    advice = (
        f"Nothing was copied to {target}. Correct the text in Jurisdesk (retype or shorten "
        "it), then copy again."
    )
    if any(table == "audit_entry" for table, _problem in found):
        advice += (
            " The audit trail itself can never be changed: a database whose trail holds such "
            "text stays a file; it cannot be moved to an office database."
        )
    raise UserError(" ".join([*lines, advice]))


def _refuse_non_empty(connection: Connection, tables: Sequence[Table], target: Location) -> None:
    held = _counts(connection, tables)
    if not any(held.values()):
        return
    table = "jurisdiction" if held.get("jurisdiction") else next(t for t, n in held.items() if n)
    raise UserError(
        f"{target} already holds {counted(table, held[table])}; copy into a new file or an "
        "empty database. Nothing was copied."
    )


# ----------------------------------------------------------------------------- copying


@dataclass
class _Run:
    """One copy: where from, where to, how far."""

    source: _Source
    target: Location
    tables: list[Table]
    counts: dict[str, int]
    progress: Progress | None
    cancelled: CancelCheck | None
    done: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def tell(self, what: str) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total, what)


def _refused_row(store: Store, table: Table, target: Location, error: DBAPIError) -> UserError:
    message = store.describe_failure(error)
    if message is not None:
        return UserError(message)
    detail = " ".join(str(error.orig).split())
    return UserError(
        f"The copy stopped at the {TABLE_WORDS.get(table.name, (table.name,) * 2)[1]}: "
        f"{target} refused a row ({detail}). Nothing was copied. Check the database being "
        "copied with `jurisdesk check`, then try again."
    )


def _write_rows(run: _Run, store: Store) -> None:
    """Every row into store's database, in one transaction: all of them, or none."""
    with store.transaction() as session:
        connection = session.connection()
        # Under the write lock: nobody can add a record between this look and the copy.
        _refuse_non_empty(connection, run.tables, run.target)
        with _described(run.source.store):
            source_revision = _revision(run.source.connection)
        target_revision = _revision(connection)
        if source_revision != target_revision:
            raise UserError(
                f"{run.target} has schema version {target_revision}, the database being "
                f"copied {source_revision}; both must be at this Jurisdesk's version."
            )
        for table in run.tables:
            check(run.cancelled)
            words = TABLE_WORDS.get(table.name, (table.name,) * 2)[1]
            run.tell(f"Copying {words}…")
            for batch in run.source.batches(table):
                try:
                    connection.execute(insert(table), batch)
                except DBAPIError as exc:
                    raise _refused_row(store, table, run.target, exc) from exc
                run.done += len(batch)
                run.tell(f"Copying {words}…")
                check(run.cancelled)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, run.tables)


def _reset_sequences(connection: Connection, tables: Sequence[Table]) -> None:
    """Rows copied with their ids leave each table's id sequence behind them: the next new
    row must be numbered after the copied ones."""
    quote = connection.dialect.identifier_preparer.quote
    for table in tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, 'id'), coalesce(max(id), 1), "
                f"max(id) IS NOT NULL) FROM {quote(table.name)}"
            ),
            {"table": table.name},
        )


def _finish(run: _Run, store: Store, source_head: ChainHead | None) -> CopyResult:
    # Written by now: the check is not cancelled, or the copy would look unfinished.
    run.tell("Checking the copy…")
    report = integrity.check(store)
    problems: list[str] = []
    head = report.head
    if head != source_head:
        problems.append(
            f"The copy's audit trail ends at {head or 'no entry'}, the source's at "
            f"{source_head or 'no entry'}: the copy is not the same record."
        )
    if run.progress is not None:
        run.progress(run.total, run.total, "Copied.")
    return CopyResult(
        source=run.source.store.location,
        target=run.target,
        counts=dict(run.counts),
        source_head=source_head,
        report=report,
        problems=problems,
    )


def _start(
    source: _Source, target: Location, progress: Progress | None, cancelled: CancelCheck | None
) -> tuple[_Run, ChainHead | None]:
    tables = copied_tables()
    run = _Run(source, target, tables, source.counts(tables), progress, cancelled)
    return run, source.head()


def copy_database(
    source: Store,
    target: Location | str,
    *,
    actor: str | None = None,
    progress: Progress | None = None,
    cancellation: CancelCheck | None = None,
) -> CopyResult:
    """Copies the whole database into target: a new or empty file, or an empty office
    database (set up if it has no tables). UserError, with nothing copied, when the target
    already holds records, cannot store some text, or fails half way; Cancelled likewise."""
    location = parse_location(target) if isinstance(target, str) else target
    _refuse_same(source, location)
    actor = actor or source.actor
    if isinstance(location, Path):
        location = location.expanduser()
        if not location.exists():
            return copy_to_new_file(
                source, location, actor=actor, progress=progress, cancellation=cancellation
            )
    with _snapshot(source) as reading:
        run, head = _start(reading, location, progress, cancellation)
        if isinstance(location, OfficeServer):
            if source.engine.dialect.name != "postgresql":
                _refuse_unstorable(reading, run.tables, location)
            store = open_store(location, actor, create=True)
        else:
            try:
                store = Store(open_database(location, create=False, daily_backup=False), actor)
            except DatabaseError as exc:
                raise UserError(str(exc)) from exc
        try:
            _write_rows(run, store)
        except BaseException:
            store.close()
            raise
    # The source's snapshot is let go of before the (longer) check of the copy.
    try:
        return _finish(run, store, head)
    finally:
        store.close()


def copy_to_new_file(
    store: Store,
    target: Path,
    *,
    replace: bool = False,
    actor: str | None = None,
    progress: Progress | None = None,
    cancellation: CancelCheck | None = None,
) -> CopyResult:
    """A Jurisdesk file holding a copy of the whole database: built under a temporary name
    beside target and renamed into place when complete, so target is either the finished
    copy or untouched. An existing target is replaced only when replace is true."""
    target = Path(target).expanduser()
    _refuse_same(store, target)
    if target.is_dir():
        raise UserError(f"{target} is a folder; choose a file name in it.")
    if target.exists() and not replace:
        raise UserError(f"{target} already exists; choose another name.")
    if not target.parent.is_dir():
        raise UserError(f"The folder {target.parent} does not exist; create it or choose another.")
    actor = actor or store.actor
    with _snapshot(store) as reading:
        run, head = _start(reading, target, progress, cancellation)
        _build_file(run, target, replace=replace, actor=actor)
    try:
        copy = Store(open_database(target, create=False, daily_backup=False), actor)
    except DatabaseError as exc:
        raise UserError(f"The copy was written to {target}, but cannot be opened: {exc}") from exc
    try:
        return _finish(run, copy, head)
    finally:
        copy.close()


def _build_file(run: _Run, target: Path, *, replace: bool, actor: str) -> None:
    partial = temporary_name(target)
    try:
        with database_lock(target):
            if target.exists() and not replace:
                raise UserError(f"{target} was created meanwhile; choose another name.")
            try:
                building = Store(open_database(partial, create=True, daily_backup=False), actor)
                try:
                    _write_rows(run, building)
                    # The finished file alone, without a write-ahead log beside it, is what is
                    # renamed into place.
                    with raw_connection(building.engine) as connection:
                        connection.execute("PRAGMA journal_mode=DELETE").fetchall()
                finally:
                    building.close()
                if sidecar(partial, "-wal").exists():
                    raise UserError(f"The copy to {target} could not be completed; try again.")
                set_aside_orphans(target)
                publish(partial, target)
            except BaseException:
                remove_quietly(partial)
                raise
    except LockTimeout as exc:
        raise UserError(
            f"{target} is being written by another Jurisdesk process that does not finish. "
            "Close the other Jurisdesk windows and try again."
        ) from exc
    except (DatabaseError, UserError) as exc:
        if is_disk_full(exc.__cause__, target):
            raise UserError(_target_full(target)) from exc
        if isinstance(exc, UserError) and partial.name not in str(exc):
            raise
        raise UserError(_named(str(exc), partial, target)) from exc
    except OSError as exc:
        if is_disk_full(exc, target):
            raise UserError(_target_full(target)) from exc
        raise UserError(
            f"Cannot write {target}: {exc.strerror or exc}. Nothing was written; choose a "
            "folder where you may save files, with enough free space."
        ) from exc


def _target_full(target: Path) -> str:
    return (
        f"Cannot write {target}: its disk is full; nothing was written. Free some space "
        "there, or choose another disk."
    )


def _named(message: str, partial: Path, target: Path) -> str:
    """A message about the temporary file, naming the file the user asked for instead."""
    return message.replace(str(partial), str(target)).replace(partial.name, target.name)
