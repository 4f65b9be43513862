"""`make bench`: every benchmark, then one table of what was measured against its floor.

Each benchmarks/bench_*.py module that offers rows() is measured through it; the others print
their own report through main(). The closing table lists every row: the milliseconds a person
feels (or the megabytes), the floor measured in the same run (plain Qt, plain reportlab, plain
openpyxl, CSV; a SQLite file for the office database on PostgreSQL), the ratio, the target,
and whether it was met. It is also written to benchmarks/latest.md, which docs/performance.md
quotes. Exit 1 if a benchmark failed to run.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _normalised(module: str, row: dict[str, Any]) -> dict[str, Any]:
    """The rows' keys as every module spells them (bench_start says "floor ms", others
    "floor_ms"; a target is a ratio or a text)."""
    target = row.get("target")
    if target is None and row.get("target ratio") is not None:
        target = f"≤ {row['target ratio']}×"
    met = row.get("met")
    if met is None and row.get("result") in ("met", "missed"):
        met = row["result"] == "met"
    return {
        "benchmark": module.removeprefix("bench_"),
        "label": row["label"],
        "value": row.get("ms", row.get("value")),
        "unit": row.get("unit", "ms"),
        "floor": row.get("floor_label", row.get("floor label", "")),
        "floor_value": row.get("floor_ms", row.get("floor ms", row.get("floor_value"))),
        "ratio": row.get("ratio"),
        "target": target or "",
        "met": met,
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"
    return str(value)


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| benchmark | what | measured | floor | floor measured | × floor | target | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        result = "" if r["met"] is None else ("met" if r["met"] else "**missed**")
        unit = f" {r['unit']}" if r["value"] is not None else ""
        lines.append(
            f"| {r['benchmark']} | {r['label']} | {_cell(r['value'])}{unit} | {r['floor']} | "
            f"{_cell(r['floor_value'])} | {_cell(r['ratio'])} | {r['target']} | {result} |"
        )
    return "\n".join(lines)


def main() -> int:
    failed = 0
    collected: list[dict[str, Any]] = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = f"benchmarks.{path.stem}"
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(name)
            if hasattr(module, "rows"):
                measured = module.rows()
                collected.extend(_normalised(path.stem, row) for row in measured)
                print(f"   {len(measured)} rows measured", flush=True)
            else:
                module.main()
        except Exception:
            traceback.print_exc()
            failed += 1
    summary = table(collected)
    print()
    print(summary)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    (HERE / "latest.md").write_text(
        f"Measured {stamp} with `make bench`.\n\n{summary}\n", encoding="utf-8"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
