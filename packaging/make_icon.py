"""Draws the Jurisdesk icon: resources/icons/jurisdesk.png (256×256) and jurisdesk.ico.

Run once after changing the drawing, from the repository root, and commit both files:

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icon.py

The mark: a dark-blue rounded square with a white "J" and a small green check mark. The .ico
holds every size Windows asks for (16 to 256 pixels), each drawn at its own size (not scaled
down from the large one) and stored as PNG, which Windows Vista and later read.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
BLUE = QColor("#1f3a68")
CHECK = QColor("#4cc38a")


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    s = float(size)
    margin = s * 0.04
    square = QRectF(margin, margin, s - 2 * margin, s - 2 * margin)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(BLUE)
    painter.drawRoundedRect(square, s * 0.18, s * 0.18)

    # The "J" as a path (hook and stem), so the mark does not depend on the fonts installed.
    stroke = s * 0.13
    pen = QPen(QColor("white"), stroke)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    stem_x = s * 0.50
    hook = QPainterPath(QPointF(stem_x, s * 0.20))
    hook.lineTo(stem_x, s * 0.56)
    radius = s * 0.16
    hook.arcTo(QRectF(stem_x - 2 * radius, s * 0.56 - radius, 2 * radius, 2 * radius), 0, -180)
    painter.drawPath(hook)
    # The top bar of the J.
    bar_y = s * 0.20 + stroke / 2
    painter.drawLine(QPointF(s * 0.33, bar_y), QPointF(s * 0.64, bar_y))

    # The check mark, bottom right.
    check_pen = QPen(CHECK, max(1.5, s * 0.075))
    check_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    check_pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(check_pen)
    check = QPainterPath(QPointF(s * 0.63, s * 0.72))
    check.lineTo(s * 0.70, s * 0.80)
    check.lineTo(s * 0.84, s * 0.62)
    painter.drawPath(check)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(images: list[bytes], sizes: tuple[int, ...]) -> bytes:
    """An .ico file holding one PNG per size (ICONDIR, ICONDIRENTRY × n, then the images)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    for size, data in zip(sizes, images, strict=True):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(images)


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "jurisdesk.png").write_bytes(png_bytes(draw(256)))
    pngs = [png_bytes(draw(size)) for size in ICO_SIZES]
    (ICONS / "jurisdesk.ico").write_bytes(ico_bytes(pngs, ICO_SIZES))
    print(f"wrote {ICONS / 'jurisdesk.png'} and {ICONS / 'jurisdesk.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
