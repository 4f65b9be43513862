"""The jurisdesk command, run as a real process: output, exit codes, one-line errors.

Starting Python with Jurisdesk takes about a second, so the commands that do not depend on each
other are started together in a few batches (module fixture `runs`) and the tests read their
results; tests of commands that need an earlier one's output run them in order themselves.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app import __version__
from app.services import audit, records
from app.services.store import open_store
from tests.helpers import (
    child_env,
    cli_command,
    finish_all,
    fresh_store,
    make_facility,
    make_jurisdiction,
    run_cli,
    start_all,
    start_psp,
    table_counts,
)


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def error_lines(self) -> list[str]:
        return self.err.splitlines()


@dataclass
class Batch:
    """Commands started together; results by name."""

    pending: dict[str, tuple[list[str], dict[str, str] | None]] = field(default_factory=dict)
    results: dict[str, Run] = field(default_factory=dict)

    def add(
        self, name: str, db: Path | None, *args: str, env: dict[str, str] | None = None
    ) -> None:
        self.pending[name] = (cli_command(db, *args), env)

    def run(self) -> None:
        names = list(self.pending)
        processes = []
        for name in names:
            command, env = self.pending[name]
            processes += start_all([command], env=env)
        for name, (code, out, err) in zip(names, finish_all(processes), strict=True):
            self.results[name] = Run(code, out, err)
        self.pending.clear()


@dataclass
class Files:
    folder: Path

    def __getattr__(self, name: str) -> Path:
        return self.folder / name


def _two_cities(path: Path) -> dict[str, int]:
    setup = fresh_store(path)
    store = next(setup)
    abq = make_jurisdiction(store)
    make_facility(store, abq.id)
    baltimore = make_jurisdiction(store, name="Baltimore City", state="MD")
    response = start_psp(store, baltimore.id).summary.id
    setup.close()
    return {"abq": abq.id, "baltimore": baltimore.id, "response": response}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Run], Files, dict[str, int]]:
    f = Files(tmp_path_factory.mktemp("cli"))
    ids = _two_cities(f.cities)
    open_store(f.empty).close()
    f.letter.write_text("Dear Chief,\nplease answer by August 18.\n", encoding="utf-8")
    f.existing.write_bytes(b"keep me")
    f.replaced.write_bytes(b"replace me")
    demo = _has("app.services.demo")

    batch = Batch()
    batch.add("version", None, "--version")
    batch.add("list empty", f.empty, "list")
    batch.add("list missing", f.missing, "list")
    batch.add("list", f.cities, "list")
    batch.add("list json", f.cities, "list", "--json")
    batch.add("env var", None, "list", "--json", env=child_env(JURISDESK_DB=str(f.cities)))
    batch.add("backup", f.cities, "backup", "--out", str(f.copy))
    batch.add("backup existing", f.cities, "backup", "--out", str(f.existing))
    batch.add("backup force", f.cities, "backup", "--out", str(f.replaced), "--force")
    batch.add("backup no folder", f.cities, "backup", "--out", str(f.folder / "nope" / "b.sqlite"))
    batch.add("backup onto itself", f.cities, "backup", "--out", str(f.cities), "--force")
    batch.add("unknown command", f.cities, "frobnicate")
    batch.add("non-numeric id", f.cities, "export-json", "--jurisdiction", "abc", "--out", "x.json")
    batch.add("db is a text file", f.letter, "list")
    batch.add("missing import file", f.cities, "import-json", str(f.folder / "missing.json"))
    if demo:
        batch.add("demo", f.demo, "--as", "Dana Clerk (Legal)", "demo")
    if _has("app.services.exchange"):
        batch.add("export bad id", f.cities, "export-json", "--jurisdiction", "999",
                  "--out", str(f.bad_export))  # fmt: skip
    batch.run()

    if demo:
        shutil.copyfile(f.demo, f.demo_copy)
        batch.add("demo again", f.demo, "demo")
        if _has("app.services.integrity"):
            batch.add("check", f.demo_copy, "check")
        if _has("app.services.exchange"):
            batch.add("export", f.demo_copy, "export-json", "--jurisdiction", "1",
                      "--out", str(f.exported))  # fmt: skip
        batch.run()
        if _has("app.services.exchange"):
            batch.add("import", f.imported, "import-json", str(f.exported))
            batch.run()
    return batch.results, f, ids


def _one_line_error(run: Run) -> str:
    assert run.code == 2, run
    assert run.out == ""
    assert "Traceback" not in run.err
    lines = run.error_lines()
    assert len(lines) == 1, run.err
    return lines[0]


# ----------------------------------------------------------------------------- basics


def test_version(runs: tuple[dict[str, Run], Files, dict[str, int]]) -> None:
    run = runs[0]["version"]
    assert (run.code, run.out.strip(), run.err) == (0, f"Jurisdesk {__version__}", "")


def test_list_on_an_empty_database(runs: tuple[dict[str, Run], Files, dict[str, int]]) -> None:
    run = runs[0]["list empty"]
    assert run.code == 0, run.err
    assert "No jurisdictions yet" in run.out
    assert run.err == ""


def test_reading_a_missing_database_is_refused_and_creates_nothing(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    results, f, _ids = runs
    run = results["list missing"]
    assert run.code == 2
    assert "does not exist" in run.err
    assert str(f.missing) in run.err
    assert len(run.err.strip().splitlines()) == 1
    assert not f.missing.exists()


def test_list_shows_jurisdictions_and_responses(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    results, _f, ids = runs
    run = results["list"]
    assert run.code == 0, run.err
    assert f"{ids['abq']}  City of Albuquerque (NM), 1 facility" in run.out
    assert "Baltimore City (MD), 0 facilities" in run.out
    assert f"response {ids['response']}: DOJ Public Safety Partnership" in run.out


def test_list_json_parses_with_ids(runs: tuple[dict[str, Run], Files, dict[str, int]]) -> None:
    results, _f, ids = runs
    run = results["list json"]
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    by_name = {row["name"]: row for row in rows}
    assert by_name["City of Albuquerque"]["id"] == ids["abq"]
    assert by_name["City of Albuquerque"]["facilities"] == 1
    baltimore = by_name["Baltimore City"]
    assert baltimore["id"] == ids["baltimore"]
    assert [r["id"] for r in baltimore["responses"]] == [ids["response"]]
    response = baltimore["responses"][0]
    assert (response["questionnaire"], response["status"]) == ("doj-psp-2017", "draft")
    assert isinstance(response["complete_percent"], int)


def test_jurisdesk_db_variable_is_used_without_db_option(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    run = runs[0]["env var"]
    assert run.code == 0, run.err
    assert {row["name"] for row in json.loads(run.out)} == {"City of Albuquerque", "Baltimore City"}


# ----------------------------------------------------------------------------- backup


def test_backup_writes_a_jurisdesk_database_with_the_same_rows(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    results, f, _ids = runs
    run = results["backup"]
    assert run.code == 0, run.err
    assert str(f.copy) in run.out
    assert table_counts(f.copy) == table_counts(f.cities)
    store = open_store(f.copy, create=False)
    try:
        names = {r.title for r in records.list_records(store, "jurisdiction")}
    finally:
        store.close()
    assert names == {"City of Albuquerque", "Baltimore City"}
    assert not list(f.folder.glob(".*.part")), "no partial file is left behind"


def test_backup_refuses_an_existing_target_without_force(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    results, f, _ids = runs
    line = _one_line_error(results["backup existing"])
    assert "already exists" in line
    assert "--force" in line
    assert f.existing.read_bytes() == b"keep me"

    run = results["backup force"]
    assert run.code == 0, run.err
    assert table_counts(f.replaced) == table_counts(f.cities)


def test_backup_refuses_a_missing_folder(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    results, f, _ids = runs
    line = _one_line_error(results["backup no folder"])
    assert "does not exist" in line
    assert not (f.folder / "nope").exists()


def test_backup_refuses_to_overwrite_the_open_database(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    results, f, _ids = runs
    assert "is the open database" in _one_line_error(results["backup onto itself"])
    assert table_counts(f.cities)["jurisdiction"] == 2


# ----------------------------------------------------------------------------- bad input

BAD_INPUT: dict[str, Callable[[str, Files], bool]] = {
    "unknown command": lambda line, f: "invalid choice: 'frobnicate'" in line,
    "non-numeric id": lambda line, f: "“abc” is not a number" in line,
    "db is a text file": lambda line, f: str(f.letter) in line and "not an SQLite file" in line,
    "missing import file": lambda line, f: "missing.json" in line,
}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
        )
        if case == "missing import file"
        else case
        for case in BAD_INPUT
    ],
)
def test_bad_input_exits_2_with_one_line(
    runs: tuple[dict[str, Run], Files, dict[str, int]], case: str
) -> None:
    results, f, _ids = runs
    if case == "missing import file":
        pytest.importorskip("app.services.exchange")
    line = _one_line_error(results[case])
    assert line.startswith("jurisdesk")
    assert "error: " in line
    assert BAD_INPUT[case](line, f), line


def test_missing_import_file_is_refused_with_exit_2_naming_the_file(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    pytest.importorskip("app.services.exchange")
    run = runs[0]["missing import file"]
    assert run.code == 2
    assert "Traceback" not in run.err
    assert run.err.startswith("jurisdesk: error: ")
    assert "missing.json" in run.err.splitlines()[0]
    assert not (runs[1].folder / "missing.json").exists()


def test_refused_database_file_is_left_untouched(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    f = runs[1]
    assert f.letter.read_text(encoding="utf-8").startswith("Dear Chief")
    assert not list(f.folder.glob("letter*-*")), "no -wal, -shm or backup beside it"


# ----------------------------------------------------------------------------- demo, exchange


def test_demo_twice_is_idempotent(runs: tuple[dict[str, Run], Files, dict[str, int]]) -> None:
    pytest.importorskip("app.services.demo")
    results, f, _ids = runs
    first, again = results["demo"], results["demo again"]
    assert first.code == 0, first.err
    assert again.code == 0, again.err
    assert "0 new" in again.out
    after_first = table_counts(f.demo_copy)
    after_second = table_counts(f.demo)
    assert after_first["jurisdiction"] >= 4
    assert after_second == after_first


def test_cli_as_option_names_the_actor_in_the_audit_trail(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    pytest.importorskip("app.services.demo")
    store = open_store(runs[1].demo_copy, create=False)
    try:
        actors = {e.actor for e in audit.history(store)}
    finally:
        store.close()
    assert actors == {"Dana Clerk (Legal)"}


def test_check_passes_on_the_demo(runs: tuple[dict[str, Run], Files, dict[str, int]]) -> None:
    pytest.importorskip("app.services.demo")
    pytest.importorskip("app.services.integrity")
    run = runs[0]["check"]
    assert run.code == 0, run.out + run.err
    assert run.out.strip().splitlines()[-1].startswith("OK")


def test_export_then_import_into_a_fresh_database(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    pytest.importorskip("app.services.demo")
    pytest.importorskip("app.services.exchange")
    results, f, _ids = runs
    exported, imported = results["export"], results["import"]
    assert exported.code == 0, exported.err
    assert imported.code == 0, imported.err
    document = json.loads(f.exported.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    source = open_store(f.demo_copy, create=False)
    target = open_store(f.imported, create=False)
    try:
        original = records.get(source, "jurisdiction", 1)
        copies = records.list_records(target, "jurisdiction")
        assert [c.title for c in copies] == [original.title]
        assert len(records.list_records(target, "facility", copies[0].id)) == len(
            records.list_records(source, "facility", 1)
        )
    finally:
        source.close()
        target.close()


def test_export_with_a_bad_id_exits_2_and_writes_nothing(
    runs: tuple[dict[str, Run], Files, dict[str, int]],
) -> None:
    pytest.importorskip("app.services.exchange")
    results, f, _ids = runs
    assert "999" in _one_line_error(results["export bad id"])
    assert not f.bad_export.exists()
    assert not list(f.folder.glob("*bad_export*"))


def test_an_internal_error_is_logged_and_reported_in_one_line(tmp_path: Path) -> None:
    # A bug (here: a demo loader that divides by zero) must not show the user a traceback.
    script = (
        "import sys, app.cli, app.services.demo as demo\n"
        "demo.load_demo = lambda store: 1 / 0\n"
        f"sys.exit(app.cli.main(['--db', {str(tmp_path / 'db.sqlite')!r}, 'demo']))\n"
    )
    state = tmp_path / "state"
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode == 70
    assert len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr
    assert "bug in Jurisdesk" in run.stderr
    logs = list(state.rglob("jurisdesk-cli.log"))
    assert len(logs) == 1
    assert "ZeroDivisionError" in logs[0].read_text(encoding="utf-8")


# ------------------------------------------------------------- first start, IT settings, logs


def test_demo_option_prepares_the_demo_in_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import cli, paths
    from app.services import jurisdictions

    data = tmp_path / "data"
    monkeypatch.setattr(paths, "data_dir", lambda: data)
    demo = cli.prepare_demo_database()
    assert demo == data / "jurisdesk-demo.sqlite"
    assert cli.prepare_demo_database() == demo  # a second start adds nothing
    store = open_store(demo)
    try:
        assert len(jurisdictions.overview(store)) == 4
    finally:
        store.close()
    assert sorted(p.name for p in data.iterdir() if p.suffix == ".sqlite") == [demo.name]
    assert not paths.user_database_path().exists()


def test_demo_option_goes_with_neither_a_command_nor_db(tmp_path: Path) -> None:
    processes = start_all(
        [
            cli_command(None, "--demo", "list"),
            cli_command(tmp_path / "x.sqlite", "--demo"),
            cli_command(None, "--help"),
        ]
    )
    with_command, with_db, helped = finish_all(processes)
    assert with_command[0] == 2
    assert "--demo" in with_command[2]
    assert with_db[0] == 2
    assert "--db" in with_db[2]
    assert not (tmp_path / "x.sqlite").exists()
    assert helped[0] == 0
    assert "--demo" in helped[1]


def test_it_managed_settings_file_names_the_database_and_jurisdesk_db_beats_it(
    tmp_path: Path,
) -> None:
    managed = tmp_path / "shared" / "city.sqlite"
    managed.parent.mkdir()
    _two_cities(managed)
    own = tmp_path / "own.sqlite"
    open_store(own).close()
    settings = tmp_path / "jurisdesk.ini"
    settings.write_text("[database]\npath = $CITY_SHARE/city.sqlite\n", encoding="utf-8")
    base = {"JURISDESK_MANAGED_SETTINGS": str(settings), "CITY_SHARE": str(managed.parent)}
    processes = start_all([cli_command(None, "list", "--json")], env=child_env(**base))
    processes += start_all(
        [cli_command(None, "list", "--json")], env=child_env(**base, JURISDESK_DB=str(own))
    )
    processes += start_all(
        [cli_command(own, "list", "--json")], env=child_env(**base)
    )  # --db beats both
    by_file, by_variable, by_option = finish_all(processes)
    assert by_file[0] == 0, by_file[2]
    assert sorted(row["name"] for row in json.loads(by_file[1])) == [
        "Baltimore City",
        "City of Albuquerque",
    ]
    assert by_variable[0] == 0
    assert json.loads(by_variable[1]) == []
    assert by_option[0] == 0
    assert json.loads(by_option[1]) == []


def test_a_malformed_managed_settings_file_is_reported_and_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import paths

    settings = tmp_path / "jurisdesk.ini"
    settings.write_text("path = C:\\Jurisdesk\\city.sqlite\n", encoding="utf-8")  # no [database]
    data_home = tmp_path / "xdg-data"
    run = run_cli(
        None,
        "list",
        env=child_env(JURISDESK_MANAGED_SETTINGS=str(settings), XDG_DATA_HOME=str(data_home)),
    )
    notes = [line for line in run.stderr.splitlines() if line.startswith("jurisdesk: note:")]
    assert len(notes) == 1, run.stderr
    assert str(settings) in notes[0]
    assert "ignored" in notes[0]
    assert "Traceback" not in run.stderr
    # It fell back to the per-user default, which does not exist yet: refused, not created.
    assert run.returncode == 2
    errors = [line for line in run.stderr.splitlines() if line.startswith("jurisdesk: error:")]
    assert len(errors) == 1
    assert str(data_home) in errors[0]
    assert not list(data_home.rglob("*.sqlite"))

    # The same rule in-process, for each kind of mistake.
    monkeypatch.delenv("JURISDESK_DB", raising=False)
    monkeypatch.setenv("JURISDESK_MANAGED_SETTINGS", str(settings))
    monkeypatch.setattr(paths, "data_dir", lambda: tmp_path / "data")
    for text in ("[database]\npath =\n", "[database]\npath = relative/city.sqlite\n", "\xff"):
        settings.write_bytes(text.encode("latin-1"))
        problems: list[str] = []
        assert paths.effective_default_database(problems) == tmp_path / "data" / "jurisdesk.sqlite"
        assert len(problems) == 1, text
        assert str(settings) in problems[0]
    settings.write_text("[database]\npath = ~/city.sqlite\n", encoding="utf-8")
    problems = []
    assert paths.effective_default_database(problems) == Path.home() / "city.sqlite"
    assert problems == []
    settings.unlink()
    assert paths.managed_database_path() is None


def test_logs_rotate_and_keep_five_old_files(tmp_path: Path) -> None:
    import logging

    from app.logs import append_to_log, rotating_handler

    crash_log = tmp_path / "logs" / "jurisdesk-cli.log"
    for number in range(40):
        append_to_log(crash_log, f"--- entry {number}\n" + "x" * 60, max_bytes=200)
    names = sorted(p.name for p in crash_log.parent.iterdir())
    assert names == ["jurisdesk-cli.log"] + [f"jurisdesk-cli.log.{n}" for n in range(1, 6)]
    assert all(p.stat().st_size <= 200 for p in crash_log.parent.iterdir())
    assert "entry 39" in crash_log.read_text(encoding="utf-8")

    gui_log = tmp_path / "gui" / "jurisdesk.log"
    handler = rotating_handler(gui_log, max_bytes=300)
    logger = logging.getLogger("jurisdesk.test-rotation")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for number in range(100):
            logger.warning("line %d %s", number, "y" * 40)
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert len(list(gui_log.parent.iterdir())) == 6


def test_a_reader_that_stops_early_is_no_error(tmp_path: Path) -> None:
    # `jurisdesk list | head -1`: the pipe closes while the list is still being printed.
    database = tmp_path / "db.sqlite"
    subprocess.run(
        [sys.executable, "-m", "app", "--db", str(database), "demo"], check=True, timeout=120
    )
    listing = subprocess.Popen(
        [sys.executable, "-m", "app", "--db", str(database), "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert listing.stdout is not None
    listing.stdout.close()  # the reader is gone before the first line
    _out, err = listing.communicate(timeout=120)
    assert b"internal error" not in err
    assert b"Traceback" not in err
    assert listing.returncode in (0, 1)


@pytest.mark.parametrize(
    ("name", "said"), [("x" * 201, "at most 200 characters"), ("  ", "give a staff name")]
)
def test_a_staff_name_the_audit_trail_cannot_keep_is_refused(
    tmp_path: Path, name: str, said: str
) -> None:
    database = tmp_path / "db.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "app", "--db", str(database), "--as", name, "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert said in result.stderr
    assert not database.exists()
