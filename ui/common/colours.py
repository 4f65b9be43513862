"""Colours by role, chosen for the active palette: light, dark or high contrast.

No widget hard-codes a colour: each asks `roles()` for what it needs (muted text, error text,
the overdue row, the help box…) and follows palette changes with `follow_palette`, `tint` or
`styled`. The colours of a set start from hues picked for a light, a dark and a
high-contrast palette; each text colour is then darkened or lightened until it reads at 4.5:1
(7:1 under high contrast) on the backgrounds it is drawn on, and each part of the interface
that carries meaning (a status stripe, a progress bar) at 3:1. The active palette decides the
set: dark when its window colour is dark, high contrast when window and text are pure black
and white, as Windows' high-contrast themes give.

The same palette also gets a selection colour that reads (`readable_selection`), and the
application style a focus frame that can be seen (`FocusStyle`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QWidget,
)
from shiboken6 import isValid

TEXT_RATIO = 4.5  # WCAG 2.1 AA, 1.4.3: normal text
LARGE_TEXT_RATIO = 3.0  # 18 pt, or 14 pt bold
PART_RATIO = 3.0  # 1.4.11: parts of the interface and graphics that carry meaning
HIGH_CONTRAST_RATIO = 7.0  # what a high-contrast theme promises (AAA)
FOCUS_WIDTH = 2
ALTERNATE_RATIO = 1.25  # most an alternate row may differ from the base


class Kind(StrEnum):
    LIGHT = "light"
    DARK = "dark"
    HIGH_CONTRAST = "high-contrast"


def luminance(colour: QColor) -> float:
    """Relative luminance as WCAG 2.1 defines it, 0 (black) to 1 (white)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    rgb = colour.toRgb()
    return (
        0.2126 * channel(rgb.redF())
        + 0.7152 * channel(rgb.greenF())
        + 0.0722 * channel(rgb.blueF())
    )


def contrast(first: QColor | str, second: QColor | str) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    a, b = luminance(QColor(first)), luminance(QColor(second))
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def blend(colour: QColor | str, other: QColor | str, amount: float) -> QColor:
    """colour moved amount (0 to 1) of the way towards other."""
    a, b = QColor(colour).toRgb(), QColor(other).toRgb()
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


def readable(colour: QColor | str, *backgrounds: QColor | str, ratio: float = TEXT_RATIO) -> str:
    """colour, darkened on light backgrounds or lightened on dark ones just enough to reach
    ratio against every background; as a #rrggbb name."""
    start = QColor(colour)
    if not backgrounds:
        return start.name()
    dark_backgrounds = sum(luminance(QColor(b)) < 0.18 for b in backgrounds)
    target = QColor("white") if dark_backgrounds * 2 > len(backgrounds) else QColor("black")
    for step in range(21):
        candidate = blend(start, target, step / 20)
        # Compared as it will be drawn: #rrggbb, not the exact floats.
        candidate = QColor(candidate.name())
        if all(contrast(candidate, b) >= ratio for b in backgrounds):
            return candidate.name()
    return target.name()


def is_high_contrast(palette: QPalette) -> bool:
    window = palette.color(QPalette.ColorRole.Window).toRgb()
    text = palette.color(QPalette.ColorRole.WindowText).toRgb()
    pure = {QColor("black").rgb(), QColor("white").rgb()}
    return window.rgb() in pure and text.rgb() in pure and window.rgb() != text.rgb()


def palette_kind(palette: QPalette) -> Kind:
    if is_high_contrast(palette):
        return Kind.HIGH_CONTRAST
    window = palette.color(QPalette.ColorRole.Window)
    return Kind.DARK if window.lightnessF() < 0.5 else Kind.LIGHT


@dataclass(frozen=True)
class Roles:
    """Every colour Jurisdesk draws itself, as #rrggbb names (style sheets and QColor take
    them alike)."""

    kind: Kind
    window: str
    base: str
    text: str  # on window and base
    muted: str  # hints, captions, the secondary line
    error: str
    warning: str
    success: str
    # Dashboard rows: the row's tint, and the "N days overdue" text on it
    overdue_row: str
    overdue_text: str
    soon_row: str
    soon_text: str
    row_text: str  # any other cell of a tinted row
    # The status tiles and their stripe, one per response status
    tile_background: str
    tile_border: str
    tile_label: str
    draft: str
    in_review: str
    approved: str
    submitted: str
    # "What this means" under a question
    help_background: str
    help_border: str
    help_title: str
    help_text: str
    # The status badge ("Draft", "In review"…) in the editor's header
    badge_background: str
    badge_text: str
    # Banners: read-only, letter out of date, sent back, database
    notice_background: str
    notice_border: str
    notice_text: str
    # The slim bar in the dashboard's Complete column
    progress_groove: str
    progress_fill: str
    progress_done: str
    # Step markers in the editor's step list
    marker_done: str
    marker_missing: str
    marker_unsaved: str
    marker_ink: str  # review and letter markers
    marker_paper: str
    marker_optional: str
    marker_mark: str  # the tick and the exclamation mark on a filled marker
    # Letter preview: the desk the pages lie on, and a page's edge
    desk: str
    page_border: str
    focus: str

    def status(self, value: str) -> str:
        """The stripe colour of a response status ("draft", "in_review"…)."""
        return str(getattr(self, value.replace(" ", "_").replace("-", "_")))

    def as_dict(self) -> dict[str, str]:
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}


# Hues per kind before they are made to read on the actual palette.
_HUES: dict[Kind, dict[str, str]] = {
    Kind.LIGHT: {
        "muted": "#555555",
        "error": "#b00020",
        "warning": "#7a4f00",
        "success": "#1b6e20",
        "overdue_row": "#fbe3e3",
        "overdue_text": "#9b1c1c",
        "soon_row": "#fff1cc",
        "soon_text": "#6b4700",
        "tile_border": "#c3cad3",
        "draft": "#6b7889",
        "in_review": "#a87400",
        "approved": "#2e7d32",
        "submitted": "#1f5fa8",
        "help_background": "#eef4fb",
        "help_border": "#9db6d3",
        "help_title": "#1f3f66",
        "badge_background": "#e3e8ef",
        "notice_background": "#fff4d6",
        "notice_border": "#c99a00",
        "notice_text": "#5c3d00",
        "progress_groove": "#dfe4ea",
        "progress_fill": "#3b73b9",
        "progress_done": "#2e7d32",
        "marker_done": "#2e7d32",
        "marker_missing": "#c62828",
        "marker_unsaved": "#c43e00",
        "marker_ink": "#1f3f66",
        "marker_paper": "#eef4fb",
        "marker_optional": "#8a8a8a",
        "desk": "#dfe3e8",
        "page_border": "#9aa3ad",
    },
    Kind.DARK: {
        "muted": "#b8b8b8",
        "error": "#ff8a80",
        "warning": "#ffc857",
        "success": "#7bd88f",
        "overdue_row": "#5a1e1e",
        "overdue_text": "#ffb4ab",
        "soon_row": "#4a3a0a",
        "soon_text": "#ffd77a",
        "tile_border": "#5a5f66",
        "draft": "#9aa7b8",
        "in_review": "#e0a800",
        "approved": "#66bb6a",
        "submitted": "#6aa6ee",
        "help_background": "#1d2b3a",
        "help_border": "#5a7fa8",
        "help_title": "#a9cbf5",
        "badge_background": "#3b4452",
        "notice_background": "#3d3212",
        "notice_border": "#b08a2e",
        "notice_text": "#ffd77a",
        "progress_groove": "#4a4f57",
        "progress_fill": "#6aa6ee",
        "progress_done": "#66bb6a",
        "marker_done": "#4caf50",
        "marker_missing": "#ff7b72",
        "marker_unsaved": "#ff9e40",
        "marker_ink": "#a9cbf5",
        "marker_paper": "#1d2b3a",
        "marker_optional": "#9e9e9e",
        "desk": "#202326",
        "page_border": "#6b737c",
    },
}


def _build(palette: QPalette) -> Roles:
    kind = palette_kind(palette)
    role = QPalette.ColorRole
    window = palette.color(role.Window).name()
    base = palette.color(role.Base).name()
    text = palette.color(role.WindowText).name()
    dark = QColor(window).lightnessF() < 0.5
    hues = dict(_HUES[Kind.DARK if dark else Kind.LIGHT])
    ratio = TEXT_RATIO
    if kind is Kind.HIGH_CONTRAST:
        # No tints: the palette's own black and white, with the hues only for meaning.
        ratio = HIGH_CONTRAST_RATIO
        for name in ("overdue_row", "soon_row", "help_background", "notice_background"):
            hues[name] = base
        hues["badge_background"] = base
        hues["marker_paper"] = base
        hues["desk"] = window
        for name in ("tile_border", "help_border", "notice_border", "page_border"):
            hues[name] = text
        hues["muted"] = text
        hues["progress_groove"] = base

    def ink(name: str, *on: str) -> str:
        return readable(hues[name], *on, ratio=ratio)

    def part(name: str, *on: str) -> str:
        return readable(hues[name], *on, ratio=PART_RATIO)

    help_background = hues["help_background"]
    notice_background = hues["notice_background"]
    tile_background = base
    groove = hues["progress_groove"]
    if kind is Kind.HIGH_CONTRAST:
        groove = readable(blend(base, text, 0.35), base, ratio=PART_RATIO)
    return Roles(
        kind=kind,
        window=window,
        base=base,
        text=text,
        muted=ink("muted", window, base),
        error=ink("error", window, base),
        warning=ink("warning", window, base),
        success=ink("success", window, base),
        overdue_row=hues["overdue_row"],
        overdue_text=ink("overdue_text", hues["overdue_row"]),
        soon_row=hues["soon_row"],
        soon_text=ink("soon_text", hues["soon_row"]),
        row_text=readable(palette.color(role.Text), hues["overdue_row"], hues["soon_row"]),
        tile_background=tile_background,
        tile_border=hues["tile_border"],
        tile_label=ink("muted", tile_background),
        draft=part("draft", tile_background),
        in_review=part("in_review", tile_background),
        approved=part("approved", tile_background),
        submitted=part("submitted", tile_background),
        help_background=help_background,
        help_border=part("help_border", help_background),
        help_title=ink("help_title", help_background),
        help_text=readable(text, help_background, ratio=ratio),
        badge_background=hues["badge_background"],
        badge_text=readable(text, hues["badge_background"], ratio=ratio),
        notice_background=notice_background,
        notice_border=part("notice_border", notice_background),
        notice_text=ink("notice_text", notice_background),
        progress_groove=groove,
        progress_fill=readable(hues["progress_fill"], groove, ratio=PART_RATIO),
        progress_done=readable(hues["progress_done"], groove, ratio=PART_RATIO),
        marker_done=part("marker_done", base),
        marker_missing=part("marker_missing", base),
        marker_unsaved=part("marker_unsaved", base),
        marker_ink=part("marker_ink", hues["marker_paper"], base),
        marker_paper=hues["marker_paper"],
        marker_optional=part("marker_optional", base),
        marker_mark="#000000" if dark else "#ffffff",
        desk=hues["desk"],
        page_border=hues["page_border"],
        focus=readable(palette.color(role.Highlight), window, base, ratio=PART_RATIO),
    )


_cache: dict[int, Roles] = {}


def roles(palette: QPalette | None = None) -> Roles:
    """The colours for palette, by default the application's."""
    if palette is None:
        palette = QApplication.palette()
    key = palette.cacheKey()
    found = _cache.get(key)
    if found is None:
        if len(_cache) > 32:
            _cache.clear()
        found = _cache[key] = _build(palette)
    return found


def readable_selection(palette: QPalette) -> QPalette | None:
    """A copy of palette whose selected text reads at 4.5:1 on the selection, or None when it
    already does (Fusion's light blue under white text reaches only 3.7:1)."""
    changed = False
    result = QPalette(palette)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        highlight = palette.color(group, QPalette.ColorRole.Highlight)
        text = palette.color(group, QPalette.ColorRole.HighlightedText)
        if contrast(highlight, text) >= TEXT_RATIO:
            continue
        # Darken (or lighten) the selection, not the text: the palette's hue stays.
        target = "black" if luminance(text) > 0.5 else "white"
        for step in range(1, 21):
            candidate = QColor(blend(highlight, target, step / 20).name())
            if contrast(candidate, text) >= TEXT_RATIO:
                break
        result.setColor(group, QPalette.ColorRole.Highlight, candidate)
        changed = True
    return result if changed else None


# ------------------------------------------------------------------ palettes to try with


def dark_palette() -> QPalette:
    """What Qt 6 gives Fusion under Windows' dark mode (qwindowstheme.cpp), accent #0078d4."""
    role = QPalette.ColorRole
    background, foreground, accent = QColor(0x1E, 0x1E, 0x1E), QColor("white"), QColor("#0078d4")
    button = background.lighter(200)
    palette = QPalette()
    for r, colour in (
        (role.WindowText, foreground),
        (role.Text, foreground),
        (role.ButtonText, foreground),
        (role.BrightText, accent.lighter(160)),
        (role.Button, button),
        (role.Light, button.lighter(200)),
        (role.Midlight, button.lighter(150)),
        (role.Dark, button.darker(200)),
        (role.Mid, button.darker(150)),
        (role.Shadow, QColor("black")),
        (role.Base, background.lighter(150)),
        (role.Window, background),
        (role.Highlight, accent),
        (role.HighlightedText, QColor("white")),
        (role.Link, accent.lighter(150)),
        (role.LinkVisited, accent.darker(150)),
        (role.AlternateBase, accent.darker(250)),
        (role.ToolTipBase, button),
        (role.ToolTipText, foreground.darker(120)),
        (role.PlaceholderText, QColor(255, 255, 255, 128)),
    ):
        palette.setColor(QPalette.ColorGroup.All, r, colour)
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, r, QColor("#808080"))
    return palette


def high_contrast_palette() -> QPalette:
    """Windows' "High Contrast Black" (Night sky): white on black, cyan selection."""
    role = QPalette.ColorRole
    palette = QPalette()
    black, white = QColor("black"), QColor("white")
    for r, colour in (
        (role.Window, black),
        (role.WindowText, white),
        (role.Base, black),
        (role.AlternateBase, black),
        (role.Text, white),
        (role.Button, black),
        (role.ButtonText, white),
        (role.Light, white),
        (role.Midlight, white),
        (role.Mid, QColor("#808080")),
        (role.Dark, white),
        (role.Shadow, white),
        (role.Highlight, QColor("#1aebff")),
        (role.HighlightedText, black),
        (role.Link, QColor("#ffff00")),
        (role.ToolTipBase, black),
        (role.ToolTipText, white),
        (role.PlaceholderText, QColor("#c0c0c0")),
    ):
        palette.setColor(QPalette.ColorGroup.All, r, colour)
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, r, QColor("#3ff23f"))
    return palette


# ------------------------------------------------------------------------- following changes


class _PaletteFollower(QObject):
    """Calls apply once now and again whenever the application's palette changes."""

    def __init__(self, widget: QWidget, apply: Callable[[], None]) -> None:
        super().__init__(widget)
        self.apply = apply
        self.applied: Roles | None = None
        _followers.add(self)
        _watch(QApplication.instance())
        self.refresh()

    def refresh(self) -> None:
        current = roles()
        if current != self.applied:
            self.applied = current
            self.apply()


# A widget with a style sheet is told nothing when the application's palette changes (its
# palette is the style sheet's); so the application itself is watched, and tells them all.
_followers: weakref.WeakSet[_PaletteFollower] = weakref.WeakSet()


class _PaletteWatcher(QObject):
    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        application = self.parent()
        if event.type() == QEvent.Type.ApplicationPaletteChange and watched is application:
            assert isinstance(application, QApplication)
            _fix_palette(application)
            for follower in list(_followers):
                if isValid(follower):
                    follower.refresh()
        return False


def _watch(application: QCoreApplication | None) -> None:
    if not isinstance(application, QApplication):
        return
    if any(isinstance(child, _PaletteWatcher) for child in application.children()):
        return
    application.installEventFilter(_PaletteWatcher(application))


def follow_palette(widget: QWidget, apply: Callable[[], None]) -> None:
    """Runs apply now and after every change of the application's palette, for as long as
    widget lives. apply reads `roles()` and sets the widget's colours."""
    _PaletteFollower(widget, apply)


def styled(widget: QWidget, sheet: str) -> None:
    """widget.setStyleSheet(sheet) with {role} names (e.g. "color: {muted};") filled in from
    the active palette's roles, again whenever the palette changes."""
    previous = getattr(widget, "_jurisdesk_sheet", None)
    widget._jurisdesk_sheet = sheet  # type: ignore[attr-defined]

    def apply() -> None:
        current = getattr(widget, "_jurisdesk_sheet", sheet)
        widget.setStyleSheet(current.format(**roles().as_dict()))

    if previous is None:
        follow_palette(widget, apply)
    else:
        apply()


def tint(widget: QWidget, role: str | None = None, *, semibold: bool = False) -> None:
    """Text colour by role name ("muted", "error"…) through the widget's palette, kept in step
    with the application's palette; and optionally a semibold font. None: the palette's own."""
    previous = getattr(widget, "_jurisdesk_tint", False)
    widget._jurisdesk_tint = role  # type: ignore[attr-defined]

    def apply() -> None:
        name = getattr(widget, "_jurisdesk_tint", None)
        if name is None:
            widget.setPalette(QPalette())
            return
        palette = widget.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(getattr(roles(), name)))
        palette.setColor(QPalette.ColorRole.Text, QColor(getattr(roles(), name)))
        widget.setPalette(palette)

    if previous is False:
        if role is not None:
            follow_palette(widget, apply)
    else:
        apply()
    if semibold:
        font = widget.font()
        font.setWeight(QFont.Weight.DemiBold)
        widget.setFont(font)


# ----------------------------------------------------------------------------- focus frame


_FOCUSED_PARTS = {
    QStyle.PrimitiveElement.PE_FrameFocusRect,
    QStyle.PrimitiveElement.PE_PanelButtonCommand,
    QStyle.PrimitiveElement.PE_FrameLineEdit,
    QStyle.PrimitiveElement.PE_PanelButtonTool,
}


_ARROWS = {
    QStyle.StandardPixmap.SP_ArrowUp: 0,
    QStyle.StandardPixmap.SP_ArrowRight: 90,
    QStyle.StandardPixmap.SP_ArrowDown: 180,
    QStyle.StandardPixmap.SP_ArrowLeft: 270,
}


class _ArrowIcon(QIconEngine):
    """A solid triangle pointing up (0), right (90), down (180) or left (270), in the active
    palette's text colour (its disabled text colour when disabled)."""

    def __init__(self, angle: int) -> None:
        super().__init__()
        self.angle = angle

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        palette = QApplication.palette()
        group = (
            QPalette.ColorGroup.Disabled
            if mode == QIcon.Mode.Disabled
            else QPalette.ColorGroup.Active
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(group, QPalette.ColorRole.WindowText))
        painter.translate(QRectF(rect).center())
        painter.rotate(self.angle)
        half = min(rect.width(), rect.height()) * 0.38
        painter.drawPolygon(
            QPolygonF([QPointF(0, -half), QPointF(half, half * 0.6), QPointF(-half, half * 0.6)])
        )
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _ArrowIcon(self.angle)


class FocusStyle(QProxyStyle):
    """Fusion with a focus frame that can be seen: 2 px in the palette's highlight colour
    (at least 3:1 on the window) around the focused button, field, check box or cell, instead
    of Fusion's faint tint."""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.PrimitiveElement.PE_FrameFocusRect:
            # On a selected cell the highlight colour would vanish: the selected text's instead.
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            ink = option.palette.color(QPalette.ColorRole.HighlightedText) if selected else None
            self._frame(option.rect, painter, ink)
            return
        super().drawPrimitive(element, option, painter, widget)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        # A line edit inside a spin box or combo box has no frame of its own to mark.
        framed = not isinstance(widget, QLineEdit) or widget.hasFrame()
        if focused and framed and element in _FOCUSED_PARTS:
            self._frame(option.rect, painter)

    def standardIcon(
        self,
        standard: QStyle.StandardPixmap,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> QIcon:
        # Fusion's arrows are black pictures: unseen on a dark toolbar. These are drawn in the
        # palette's text colour whenever they are shown.
        if standard in _ARROWS:
            return QIcon(_ArrowIcon(_ARROWS[standard]))
        return super().standardIcon(standard, option, widget)

    def _frame(self, rect: QRect, painter: QPainter, ink: QColor | None = None) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        pen = QPen(ink or QColor(roles().focus), FOCUS_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = FOCUS_WIDTH // 2
        painter.drawRect(rect.adjusted(half, half, -half, -half))
        painter.restore()


def install(application: QApplication) -> None:
    """Fusion with the focus frame, and a selection colour that reads: at start-up and after
    every palette change (Windows switching to dark mode, say)."""
    if not isinstance(application.style(), FocusStyle):
        application.setStyle(FocusStyle("Fusion"))
    _fix_palette(application)
    _watch(application)


def _fix_palette(application: QApplication) -> None:
    palette = application.palette()
    better = readable_selection(palette)
    # Alternate rows a shade off the base: a strong tint (Qt gives Windows' dark mode the dark
    # accent) reads as a second selection.
    base = palette.color(QPalette.ColorRole.Base)
    alternate = palette.color(QPalette.ColorRole.AlternateBase)
    if contrast(base, alternate) > ALTERNATE_RATIO or _saturated(alternate, base):
        better = QPalette(better or palette)
        shade = blend(base, palette.color(QPalette.ColorRole.Text), 0.06)
        better.setColor(QPalette.ColorGroup.All, QPalette.ColorRole.AlternateBase, shade)
    # Placeholder text in empty fields: Fusion's is the text colour at half strength (3.9:1).
    hint = palette.color(QPalette.ColorRole.PlaceholderText)
    shown = blend(base, QColor(hint.red(), hint.green(), hint.blue()), hint.alphaF())
    if contrast(shown, base) < TEXT_RATIO:
        better = QPalette(better or palette)
        better.setColor(
            QPalette.ColorGroup.All, QPalette.ColorRole.PlaceholderText, readable(shown, base)
        )
    if better is not None:
        application.setPalette(better)


def _saturated(colour: QColor, base: QColor) -> bool:
    return colour.hslSaturationF() > 0.3 and base.hslSaturationF() < 0.3
