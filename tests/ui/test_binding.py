"""The installed Qt binding must not leak or drop references to None on ordinary calls.

PySide6 6.12.0 on Python 3.11 releases one reference to None on every Qt call that returns
nothing; a long working session then dies with "Fatal Python error: none_dealloc". A release
with that fault fails here long before an office PC meets it.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

import PySide6
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import QLabel, QListWidget, QWidget

CALLS = 30_000
# Other work of the interpreter (the garbage collector, Qt's own callbacks) can move None's
# count by a handful; the fault moves it by one per call.
TOLERANCE = 100
# None starts with only a few thousand references: 30,000 lost ones would abort the test run
# instead of failing this test, so the count is checked every few calls.
BATCH = 100
# References to None the binding took, given back so the run ends with a report, not an abort.
_returned: list[None] = []


def _none_drift(call: Callable[[int], object]) -> tuple[int, int]:
    """How far None's reference count moved, and after how many calls."""
    gc.collect()
    before = sys.getrefcount(None)
    made = 0
    while made < CALLS:
        for index in range(made, made + BATCH):
            call(index)
        made += BATCH
        if abs(sys.getrefcount(None) - before) > TOLERANCE:
            break
    gc.collect()
    drift = sys.getrefcount(None) - before
    if drift < 0:
        _returned.extend([None] * -drift)
    return drift, made


def _label(qtbot) -> Callable[[int], object]:
    label = QLabel()
    qtbot.addWidget(label)
    return lambda index: label.setToolTip("Tip" if index % 2 else "Other tip")


def _item(qtbot) -> Callable[[int], object]:
    item = QStandardItem("Albuquerque")
    return lambda index: item.setData(index, Qt.ItemDataRole.UserRole)


def _list(qtbot) -> Callable[[int], object]:
    rows = QListWidget()
    qtbot.addWidget(rows)
    rows.addItems(["Albuquerque", "Baltimore", "San Bernardino", "Stockton"])
    return lambda index: rows.setCurrentRow(index % 4)


def _widget(qtbot) -> Callable[[int], object]:
    widget = QWidget()
    qtbot.addWidget(widget)
    return lambda index: widget.setEnabled(bool(index % 2))


@pytest.mark.parametrize(
    "make_call",
    [_label, _item, _list, _widget],
    ids=["QLabel.setToolTip", "QStandardItem.setData", "QListWidget.setCurrentRow",
         "QWidget.setEnabled"],
)  # fmt: skip
def test_calls_that_return_nothing_keep_none_alive(qtbot, make_call) -> None:
    call = make_call(qtbot)
    drift, made = _none_drift(call)
    assert abs(drift) <= TOLERANCE, (
        f"PySide6 {PySide6.__version__} changed the reference count of None by {drift} in "
        f"{made:,} calls; a long session with it ends in “Fatal Python error: none_dealloc”. "
        f"Exclude this release in pyproject.toml (e.g. PySide6-Essentials!={PySide6.__version__})."
    )
