"""An office database on a PostgreSQL server: File ▸ Connect to office database…, the password
the server may ask for, and how a database is named on screen.

The connection details are what IT hands out: either the whole address
(``postgresql://USER@SERVER:PORT/DATABASE?sslmode=require``), pasted as is, or its parts in the
fields below it; the two stay in step. A password is never part of an address: it is asked for
when the server wants one (unless PGPASSWORD or ~/.pgpass has it) and kept only in memory.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.locations import AddressError, Location, OfficeServer, parse_server
from ui.common import errors
from ui.common.colours import styled

DEFAULT_PORT = 5432
DEFAULT_SSL_MODE = "require"
# libpq's sslmode values as the "Secure connection" list names them. The first three are
# offered; the others show only when an address IT gave uses them.
SSL_MODES = {
    "require": "Required (recommended)",
    "prefer": "If the server offers it",
    "verify-full": "Verify the server's certificate",
}
OTHER_SSL_MODES = {
    "verify-ca": "Verify the certificate's authority",
    "allow": "Only if the server insists",
    "disable": "Off",
}
# libpq's own default: an address without sslmode means this.
LIBPQ_SSL_MODE = "prefer"
ADDRESS_EXAMPLE = "postgresql://user@server:5432/database"
PASSWORD_NOTE = (
    "Jurisdesk keeps the password only while this database is open: it is never saved. "
    "IT can also put it in PGPASSWORD or your ~/.pgpass file."
)


# == names on screen =======================================================================


def short_name(location: Location) -> str:
    """For the title bar: a file's name, or "DATABASE on SERVER"."""
    if isinstance(location, Path):
        return location.name
    return f"{location.database} on {location.server_name}"


def full_name(location: Location) -> str:
    """For sentences: a file's path, or "the office database DATABASE on SERVER"."""
    if isinstance(location, Path):
        return str(location)
    return f"the office database {short_name(location)}"


def sentence(text: str) -> str:
    """text with a capital first letter, the rest as it is (names keep their case)."""
    return text[:1].upper() + text[1:]


def login_name() -> str:
    """The user name the server is given when the address names none (libpq's default)."""
    try:
        return getpass.getuser()
    except Exception:  # getuser raises various errors when no login name is known
        return "your login name"


# == the test seam ==========================================================================


def present(dialog: QDialog) -> int:
    """Shows a dialog of this module modally and returns its result (the test seam)."""
    return dialog.exec()


# == File ▸ Connect to office database… ====================================================


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class ConnectDialog(QDialog):
    """The office database to connect to: its address, or the address's parts in fields.

    Typing in a field rewrites the address; pasting or typing an address fills the fields.
    libpq options in a pasted address that have no field (sslrootcert, connect_timeout…) are
    kept as they are. After OK, server holds what to connect to.
    """

    def __init__(self, initial: OfficeServer | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to office database")
        self.setAccessibleName("Connect to office database")
        self.server: OfficeServer | None = None
        # Options of the last address that no field shows, kept when the fields change.
        self._other_options: tuple[tuple[str, str], ...] = ()
        self._address_problem: str | None = None
        self._filling = False

        intro = _note(
            "Connect to the office database your IT department set up, which everyone in the "
            "office shares. Paste the address IT gave you, or fill in the fields."
        )

        self.address_edit = QLineEdit()
        self.address_edit.setPlaceholderText(ADDRESS_EXAMPLE)
        self.address_edit.setAccessibleName("Address")
        self.address_edit.setAccessibleDescription(
            f"The whole address IT gave you, such as {ADDRESS_EXAMPLE}. It fills the fields."
        )
        self.address_edit.setClearButtonEnabled(True)
        self.address_problem_label = _note("")
        self.address_problem_label.setObjectName("addressProblem")
        styled(self.address_problem_label, "#addressProblem {{ color: {error}; }}")
        self.address_problem_label.setVisible(False)

        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("records.cityhall.local")
        self.server_edit.setAccessibleName("Server")
        self.server_edit.setAccessibleDescription("The database server's name or IP address")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(DEFAULT_PORT)
        self.port_spin.setAccessibleName("Port")
        self.port_spin.setAccessibleDescription(f"Usually {DEFAULT_PORT}")
        self.database_edit = QLineEdit()
        self.database_edit.setPlaceholderText("jurisdesk")
        self.database_edit.setAccessibleName("Database")
        self.database_edit.setAccessibleDescription("The office database's name on the server")
        self.user_edit = QLineEdit()
        self.user_edit.setPlaceholderText(f"{login_name()} if left empty")
        self.user_edit.setAccessibleName("User name")
        self.user_edit.setAccessibleDescription(
            f"Your user name on the database server; left empty, {login_name()}"
        )
        self.ssl_combo = QComboBox()
        self.ssl_combo.setAccessibleName("Secure connection")
        self.ssl_combo.setAccessibleDescription(
            "Whether the connection to the server must be encrypted"
        )
        for mode, text in SSL_MODES.items():
            self.ssl_combo.addItem(text, mode)
        self._select_ssl_mode(DEFAULT_SSL_MODE)

        # The address and what is wrong with it, one under the other in the address's row.
        address = QWidget()
        address_layout = QVBoxLayout(address)
        address_layout.setContentsMargins(0, 0, 0, 0)
        address_layout.addWidget(self.address_edit)
        address_layout.addWidget(self.address_problem_label)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(_label("&Address:", self.address_edit), address)
        form.addRow("", _note("or, part by part:"))
        form.addRow(_label("&Server:", self.server_edit), self.server_edit)
        form.addRow(_label("&Port:", self.port_spin), self.port_spin)
        form.addRow(_label("&Database:", self.database_edit), self.database_edit)
        form.addRow(_label("&User name:", self.user_edit), self.user_edit)
        form.addRow(_label("Secure c&onnection:", self.ssl_combo), self.ssl_combo)

        buttons = QDialogButtonBox()
        self.connect_button: QPushButton = buttons.addButton(
            "Co&nnect", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.connect_button.setDefault(True)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(_note(PASSWORD_NOTE))
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 96)

        if initial is not None:
            self._fill(initial)
        self._show_address()
        self.address_edit.textEdited.connect(self._address_edited)
        for edit in (self.server_edit, self.database_edit, self.user_edit):
            edit.textEdited.connect(self._fields_edited)
        self.port_spin.valueChanged.connect(self._fields_edited)
        self.ssl_combo.currentIndexChanged.connect(self._fields_edited)
        self.address_edit.setFocus()

    # == fields and address ===============================================================

    def _select_ssl_mode(self, mode: str) -> None:
        index = self.ssl_combo.findData(mode)
        if index < 0:
            self.ssl_combo.addItem(OTHER_SSL_MODES.get(mode, f"As IT set it ({mode})"), mode)
            index = self.ssl_combo.count() - 1
        self.ssl_combo.setCurrentIndex(index)

    def _fill(self, server: OfficeServer) -> None:
        """Shows server in the fields (not in the address, which the caller decides)."""
        options = list(server.options)
        host = server.host or ""
        if not host:  # a local socket folder (or a host) given as the host option
            for key, value in options:
                if key == "host":
                    host = value
            options = [(key, value) for key, value in options if key != "host"]
        mode = next((value for key, value in options if key == "sslmode"), LIBPQ_SSL_MODE)
        self._other_options = tuple((k, v) for k, v in options if k != "sslmode")
        self._filling = True
        try:
            self.server_edit.setText(host)
            self.port_spin.setValue(server.port or DEFAULT_PORT)
            self.database_edit.setText(server.database)
            self.user_edit.setText(server.user or "")
            self._select_ssl_mode(mode)
        finally:
            self._filling = False

    def fields_server(self) -> OfficeServer:
        """What the fields say, unchecked (the database may still be empty)."""
        host = self.server_edit.text().strip()
        options = list(self._other_options)
        if host.startswith("/"):  # a folder: PostgreSQL's socket on this PC
            options.insert(0, ("host", host))
            host = ""
        mode = str(self.ssl_combo.currentData() or LIBPQ_SSL_MODE)
        if mode != LIBPQ_SSL_MODE:
            options.append(("sslmode", mode))
        port = self.port_spin.value()
        return OfficeServer(
            database=self.database_edit.text().strip(),
            user=self.user_edit.text().strip() or None,
            host=host or None,
            port=None if port == DEFAULT_PORT else port,
            options=tuple(options),
        )

    def _show_address(self) -> None:
        fields = (self.server_edit, self.database_edit, self.user_edit)
        if any(edit.text().strip() for edit in fields):
            self.address_edit.setText(self.fields_server().address)
            self.address_edit.setCursorPosition(0)  # its start says the most
        else:  # nothing typed yet: the example shows
            self.address_edit.clear()
        self._set_address_problem(None)

    def _fields_edited(self, *_args: object) -> None:
        if not self._filling:
            self._show_address()

    def _address_edited(self, text: str) -> None:
        if not text.strip():
            self._set_address_problem(None)
            return
        try:
            server = parse_server(text)
        except AddressError as exc:
            self._set_address_problem(str(exc))
            return
        self._set_address_problem(None)
        self._fill(server)

    def _set_address_problem(self, problem: str | None) -> None:
        self._address_problem = problem
        self.address_problem_label.setText(problem or "")
        self.address_problem_label.setVisible(problem is not None)

    # == OK =================================================================================

    def _refuse(self, field: QWidget, text: str) -> None:
        errors.message(self, "Check the connection details", text, icon=QMessageBox.Icon.Warning)
        field.setFocus()

    def problem(self) -> tuple[QWidget, str] | None:
        """The first thing to fix before connecting, naming its field; None when all is set."""
        if self._address_problem is not None:
            return self.address_edit, f"Address: {self._address_problem}"
        host = self.server_edit.text().strip()
        if not host:
            return self.server_edit, (
                "Server: enter the name or IP address of the database server, as IT gave it to you."
            )
        if not host.startswith("/") and any(ch.isspace() or ch in "/@?#" for ch in host):
            return self.server_edit, (
                f"Server: “{host}” is not a server name. Enter only the server's name or IP "
                "address, such as records.cityhall.local; the port and the database have "
                "fields of their own."
            )
        database = self.database_edit.text().strip()
        if not database:
            return self.database_edit, (
                "Database: enter the name of the office database on the server, as IT gave it "
                "to you."
            )
        if "/" in database:
            return self.database_edit, f"Database: “{database}” cannot contain a /."
        user = self.user_edit.text()
        if any(ch.isspace() for ch in user.strip()):
            return self.user_edit, f"User name: “{user.strip()}” cannot contain spaces."
        try:
            parse_server(self.fields_server().address)
        except AddressError as exc:
            return self.address_edit, f"Address: {exc}"
        return None

    def accept(self) -> None:
        found = self.problem()
        if found is not None:
            self._refuse(*found)
            return
        self.server = parse_server(self.fields_server().address)
        super().accept()


def ask_server(parent: QWidget | None, initial: OfficeServer | None = None) -> OfficeServer | None:
    """The office database to connect to, or None when the person cancels."""
    dialog = ConnectDialog(initial, parent)
    try:
        if present(dialog) != QDialog.DialogCode.Accepted.value:
            return None
        return dialog.server
    finally:
        dialog.deleteLater()


# == the password ==========================================================================


class PasswordDialog(QDialog):
    """Asks for the password the server wants; it goes no further than the connection."""

    def __init__(self, server: OfficeServer, *, wrong: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Password for the office database")
        self.setAccessibleName("Password for the office database")
        user = server.user or login_name()
        text = (
            f"To open the office database {short_name(server)}, the server asks for the "
            f"password of {user}."
        )
        self.text_label = _note(text)
        self.refused_label = _note(
            "The server refused that password. Check it (is Caps Lock on?) and enter it again."
        )
        self.refused_label.setObjectName("passwordRefused")
        styled(self.refused_label, "#passwordRefused {{ color: {error}; font-weight: bold; }}")
        self.refused_label.setVisible(wrong)

        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setAccessibleDescription(f"The password of {user} on the server")
        self.setAccessibleDescription(
            text + (" The server refused the password given before." if wrong else "")
        )

        form = QFormLayout()
        form.addRow(_label("&Password:", self.password_edit), self.password_edit)

        buttons = QDialogButtonBox()
        self.connect_button = buttons.addButton("Co&nnect", QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setDefault(True)
        self.connect_button.setEnabled(False)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.password_edit.textChanged.connect(
            lambda value: self.connect_button.setEnabled(bool(value))
        )

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.text_label)
        layout.addWidget(self.refused_label)
        layout.addLayout(form)
        layout.addWidget(_note(PASSWORD_NOTE))
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        self.password_edit.setFocus()

    def password(self) -> str:
        return self.password_edit.text()


def ask_password(parent: QWidget | None, server: OfficeServer, *, wrong: bool) -> str | None:
    """The password typed, or None when the person cancels."""
    dialog = PasswordDialog(server, wrong=wrong, parent=parent)
    try:
        if present(dialog) != QDialog.DialogCode.Accepted.value or not dialog.password():
            return None
        return dialog.password()
    finally:
        dialog.password_edit.clear()
        dialog.deleteLater()


def ask_set_up(parent: QWidget | None, server: OfficeServer) -> bool:
    """Asks before making Jurisdesk's tables in an empty office database."""
    answer = errors.ask(
        parent,
        "Set up the office database",
        f"Set up a new Jurisdesk database in {server.database} on {server.server_name}?",
        informative=(
            "This database on the server is empty. Setting it up makes Jurisdesk's tables in "
            "it, and everyone who connects to the same address then works in it. If you "
            "expected your office's records here, choose Cancel and check the address with IT."
        ),
        buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        default=QMessageBox.StandardButton.Cancel,
        labels={QMessageBox.StandardButton.Yes: "Set up"},
    )
    return answer == QMessageBox.StandardButton.Yes
