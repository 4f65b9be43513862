"""The dependency rule: app/ never needs Qt, ui/ never talks SQL."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(folder: Path) -> dict[Path, set[str]]:
    found: dict[Path, set[str]] = {}
    for source in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[source] = names
    return found


def test_app_never_imports_qt() -> None:
    offenders = [p for p, names in imported_modules(ROOT / "app").items() if "PySide6" in names]
    assert offenders == []


def test_ui_never_imports_sqlalchemy_or_models() -> None:
    offenders = []
    for path, names in imported_modules(ROOT / "ui").items():
        if "sqlalchemy" in names or "alembic" in names:
            offenders.append(path)
    assert offenders == []


def test_documents_set_text_in_the_paragraph_that_orders_right_to_left_lines() -> None:
    """reportlab's own Paragraph draws Hebrew and Arabic backwards; app.reports.paragraph
    puts each line in drawing order. Only that module (and the tagging, which recognises
    paragraphs) may name reportlab's."""
    allowed = {"paragraph.py", "tagging.py"}
    offenders = []
    for source in (ROOT / "app" / "reports").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("reportlab.platypus")
                and any(alias.name in ("Paragraph", "paragraph") for alias in node.names)
                and source.name not in allowed
            ):
                offenders.append(source.name)
    assert offenders == []


@pytest.mark.parametrize("module", ["app.services", "app.cli", "app.services.records"])
def test_core_loads_without_qt_in_a_fresh_interpreter(module: str) -> None:
    code = f"import sys, {module}; sys.exit(1 if 'PySide6' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
