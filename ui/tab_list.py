"""The tabs of a jurisdiction, by name: what the menus list before any panel is built."""

from __future__ import annotations

# Tab labels are short so all nine fit at 1024 pixels; the tooltip gives the full name.
TABS: tuple[tuple[str, str, str], ...] = (
    ("profile", "Profile", "The jurisdiction's own facts; saved as you type"),
    ("facilities", "Facilities", "Jails and holding facilities, and who operates them"),
    ("instruments", "Instruments", "Legal instruments: policies, ordinances, orders, agreements"),
    ("evidence", "Evidence", "Documents kept as evidence, with their SHA-256"),
    ("requests", "Requests && grants", "Federal requests, grant awards and their conditions"),
    ("statistics", "Statistics", "Detainer statistics: requests received, honored, declined"),
    ("contacts", "Contacts", "People who prepare, review and sign"),
    ("responses", "Responses", "Answers to federal questionnaires"),
    ("history", "History", "Every change: who, when, old and new value"),
)
TAB_NAMES = tuple(name for name, _label, _tip in TABS)
