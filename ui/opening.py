"""Opening a database on a pool thread, the window answering meanwhile.

A file opens in one go. An office database on a server may first need what only the person
can give, asked for on the window's thread between two tries: the password the server wants,
and a yes before Jurisdesk's tables are made in an empty database. Whatever ends the opening
is handed to one of two callbacks: the open Store, or why there is none (a UserError to show,
Declined when the person chose not to go on, anything else a bug).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QProgressDialog, QWidget

from app.locations import Location, OfficeServer
from app.services.errors import UserError
from ui import office_database
from ui.common.operations import SHOW_AFTER_MS, run_in_background

if TYPE_CHECKING:
    from app.services.store import Store


class Declined(UserError):
    """The person chose not to go on: no password given, an empty database not set up, or
    connecting cancelled. The message says what was not opened."""


class _Empty:
    """The office database is empty: it is set up only after the person agrees."""


EMPTY = _Empty()


def _open_server(
    server: OfficeServer, actor: str | None, *, create: bool, password: str | None
) -> Store | _Empty:
    from app.services.store import EmptyOfficeDatabase, open_store

    try:
        return open_store(server, actor=actor, create=create, password=password)
    except EmptyOfficeDatabase:
        return EMPTY


def open_location(
    location: Location,
    actor: str | None,
    *,
    create: bool = False,
    password: str | None = None,
    prepare: Callable[[], None] | None = None,
) -> Store | _Empty:
    """Opens location (on a pool thread). create: a missing file is made; an office database
    is set up when empty (else EMPTY is returned, for the window to ask). prepare: more work
    for the pool thread once the database is open (loading what shows it)."""
    from app.services.store import open_store

    if isinstance(location, OfficeServer):
        store = _open_server(location, actor, create=create, password=password)
        if isinstance(store, _Empty):
            return store
    else:
        store = open_store(location, actor=actor, create=create)
    if prepare is not None:
        try:
            prepare()
        except BaseException:
            store.close()
            raise
    return store


class Opening:
    """One database being opened; see the module's description. Start with start()."""

    def __init__(
        self,
        parent: QWidget,
        location: Location,
        actor: str | None,
        *,
        opened: Callable[[Store], None],
        refused: Callable[[BaseException], None],
        create_file: bool = False,
        prepare: Callable[[], None] | None = None,
        label: str | None = None,
    ) -> None:
        """create_file: a missing file is made (an empty office database is set up only when
        the person says so). label: shown in a dialog with Cancel while the server is slow to
        answer; None when the caller shows the wait itself."""
        self.parent = parent
        self.location = location
        self.actor = actor
        self._opened = opened
        self._refused = refused
        self._create_file = create_file
        self._prepare = prepare
        self._label = label
        # Given by the person for this connection only: never written anywhere.
        self._password: str | None = None
        # The person agreed to set up the empty office database.
        self._set_up = False
        self._progress: QProgressDialog | None = None
        self.cancelled = False
        self.finished = False

    def start(self) -> None:
        location, actor, prepare = self.location, self.actor, self._prepare
        password = self._password
        create = self._set_up if isinstance(location, OfficeServer) else self._create_file

        def work() -> Store | _Empty:
            return open_location(location, actor, create=create, password=password, prepare=prepare)

        self._show_progress()
        run_in_background(
            self.parent, self._label or "", work, self._done, self._failed, busy_dialog=False
        )

    def cancel(self) -> None:
        """Stops waiting: the window goes on as before; a connection made after all is closed."""
        if self.finished or self.cancelled:
            return
        self.cancelled = True
        self._hide_progress()
        self._finish_refused(
            Declined(f"Connecting to {office_database.full_name(self.location)} was cancelled.")
        )

    # == the wait ==========================================================================

    def _show_progress(self) -> None:
        if self._label is None:
            return
        progress = QProgressDialog(self._label, "Cancel", 0, 0, self.parent)
        progress.setWindowTitle("Jurisdesk")
        progress.setMinimumDuration(SHOW_AFTER_MS)  # quick connections show no dialog
        progress.setAutoReset(False)
        progress.setAutoClose(False)
        progress.canceled.connect(self.cancel)
        self._progress = progress

    def _hide_progress(self) -> None:
        progress, self._progress = self._progress, None
        if progress is not None:
            progress.canceled.disconnect(self.cancel)
            progress.reset()
            progress.hide()
            progress.deleteLater()

    # == outcomes ==========================================================================

    def _done(self, result: Store | _Empty) -> None:
        self._hide_progress()
        if self.cancelled:
            if not isinstance(result, _Empty):
                result.close()
            return
        if isinstance(result, _Empty):
            assert isinstance(self.location, OfficeServer)
            set_up = office_database.ask_set_up(self.parent, self.location)
            if self.cancelled:  # the window closed meanwhile
                return
            if set_up:
                self._set_up = True
                self.start()
            else:
                self._finish_refused(
                    Declined(
                        office_database.sentence(office_database.full_name(self.location))
                        + " is empty and was not set up."
                    )
                )
            return
        self.finished = True
        self._password = None
        self._opened(result)

    def _failed(self, error: BaseException) -> None:
        from app.services.store import PasswordNeeded

        self._hide_progress()
        if self.cancelled:
            return
        server = self.location
        if isinstance(error, PasswordNeeded) and isinstance(server, OfficeServer):
            password = office_database.ask_password(self.parent, server, wrong=error.wrong)
            if self.cancelled:  # the window closed meanwhile
                return
            if password is None:
                self._finish_refused(
                    Declined(
                        f"No password was given, so {office_database.full_name(server)} was "
                        "not opened."
                    )
                )
                return
            self._password = password
            self.start()
            return
        self._finish_refused(error)

    def _finish_refused(self, error: BaseException) -> None:
        self.finished = True
        self._password = None
        self._refused(error)
