"""What an export or import reports back: ExportResult, ImportResult and ExchangeError."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.services.errors import UserError

# The error message lists this many problems; ExchangeError.problems always has all of them.
_PROBLEMS_IN_MESSAGE = 50


class ExchangeError(UserError):
    """A file that cannot be exported or imported; `problems` lists every problem found,
    each starting with its JSON path (e.g. ``$.facilities[2].operator_type: …``)."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        if count == 1:
            # One problem, one line: what a terminal user or a dialog reads at a glance.
            super().__init__(f"{source} was not imported: {self.problems[0]} Nothing was changed.")
            return
        lines = [
            f"{source} was not imported: {count} problem{'s' * (count != 1)} found. "
            "Nothing was changed; correct the file and import it again."
        ]
        lines += [f"  {problem}" for problem in self.problems[:_PROBLEMS_IN_MESSAGE]]
        if count > _PROBLEMS_IN_MESSAGE:
            lines.append(f"  … and {count - _PROBLEMS_IN_MESSAGE} more.")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class ExportResult:
    path: Path
    counts: Mapping[str, int]  # per COUNT_KEYS entry: records written

    def describe(self) -> str:
        return f"Exported to {self.path}: {_tally(self.counts)}."


@dataclass(frozen=True)
class ImportResult:
    source: str
    jurisdiction_id: int
    jurisdiction_uuid: str
    jurisdiction_name: str
    created: Mapping[str, int]  # per COUNT_KEYS entry; "audit" = history entries added
    updated: Mapping[str, int]

    @property
    def changed_anything(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def describe(self) -> str:
        """One paragraph for the user, e.g. after the command-line import."""
        if not self.changed_anything:
            return f"Imported {self.jurisdiction_name}: the database already had all of it."
        return (
            f"Imported {self.jurisdiction_name}: created {_tally(self.created) or 'nothing'}; "
            f"updated {_tally(self.updated) or 'nothing'}."
        )


_SINGULAR = {
    "jurisdiction": "jurisdiction",
    "facilities": "facility",
    "instruments": "instrument",
    "evidence": "evidence file",
    "requests": "request",
    "awards": "award",
    "conditions": "condition",
    "statistics": "statistic",
    "contacts": "contact",
    "responses": "response",
    "answers": "answer",
    "filed": "filed document",
    "audit": "history entry",
}
_PLURAL = {key: key for key in _SINGULAR} | {
    "jurisdiction": "jurisdictions",
    "evidence": "evidence files",
    "filed": "filed documents",
    "audit": "history entries",
}


def _tally(counts: Mapping[str, int]) -> str:
    return ", ".join(
        f"{n} {_SINGULAR[key] if n == 1 else _PLURAL.get(key, key)}"
        for key, n in counts.items()
        if n
    )
