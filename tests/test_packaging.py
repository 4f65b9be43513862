"""The wheel stands alone: built from the checkout and installed by itself in a new virtual
environment, it runs from another folder and finds its questionnaires, schemas, fonts and
migrations without the repository."""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _source_copy(target: Path) -> Path:
    """The checkout's tracked files, copied: the build writes build/ beside its sources, and
    two test workers building in the checkout itself would trip over each other."""
    listed = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    # Files added since the last commit (not yet tracked) that the wheel must carry too.
    for folder in ("app", "ui", "resources"):
        for source in (ROOT / folder).rglob("*"):
            if source.is_file() and "__pycache__" not in source.parts:
                copy = target / source.relative_to(ROOT)
                if not copy.exists():
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, copy)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = _source_copy(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(source)],
        check=True, capture_output=True, cwd=out,
    )  # fmt: skip
    (built,) = out.glob("jurisdesk-*.whl")
    return built


def test_the_wheel_carries_everything_the_program_reads(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in sorted((ROOT / "resources").rglob("*")):
        if shipped.is_file():
            inside = "app/resources/" + shipped.relative_to(ROOT / "resources").as_posix()
            assert inside in names, inside
    migrations = {p.name for p in (ROOT / "app" / "migrations" / "versions").glob("*.py")}
    assert {n.rsplit("/", 1)[-1] for n in names if "migrations/versions/" in n} >= migrations
    # No compiled leftovers of the working tree: two builds of one commit are the same files.
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith("tests/")]


def test_the_wheel_declares_a_console_and_a_windowed_entry_point(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (entry_points,) = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(archive.read(entry_points).decode())
    assert parser["console_scripts"]["jurisdesk"] == "app.cli:main"
    assert parser["gui_scripts"]["jurisdesk-gui"] == "app.cli:main"


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment holding the wheel and its locked dependencies, nothing else."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps"]
    lock = ROOT / "requirements" / "runtime.lock"
    subprocess.run([*pip, "--require-hashes", "-r", str(lock)], check=True, capture_output=True)
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True)
    return venv


def _run_installed(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs the installed `jurisdesk` command from `cwd`, far from the checkout."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(cwd),
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(cwd / "data"),
        "XDG_STATE_HOME": str(cwd / "state"),
        "XDG_CONFIG_HOME": str(cwd / "config"),
    }
    return subprocess.run(
        [str(venv / "bin" / "jurisdesk"), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_installed_wheel_works_from_any_folder(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import app; print(app.__file__)"],
        cwd=work, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(installed)

    def run(*args: str) -> str:
        done = _run_installed(installed, work, "--db", "w.sqlite", *args)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    assert "4 new" in run("demo")
    listing = json.loads(run("list", "--json"))
    response = listing[0]["responses"][0]["id"]
    run("export", "--response", str(response), "--format", "pdf", "--kind", "letter",
        "--out", "letter.pdf")  # fmt: skip
    run("export", "--response", str(response), "--format", "xlsx", "--out", "answers.xlsx")
    run("export", "--response", str(response), "--format", "docx", "--kind", "letter",
        "--out", "letter.docx")  # fmt: skip
    assert (work / "letter.pdf").read_bytes().startswith(b"%PDF")
    assert zipfile.is_zipfile(work / "answers.xlsx")
    assert zipfile.is_zipfile(work / "letter.docx")
    # An exchange round trip into a new database, checked there.
    run("export-json", "--jurisdiction", str(listing[0]["id"]), "--out", "one.json")
    done = _run_installed(installed, work, "--db", "fresh.sqlite", "import-json", "one.json")
    assert done.returncode == 0, done.stdout + done.stderr
    checked = _run_installed(installed, work, "--db", "fresh.sqlite", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("Audit trail:")
