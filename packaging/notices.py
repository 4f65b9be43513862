"""Writes THIRD-PARTY-NOTICES.txt: every piece of other people's software inside a Jurisdesk
bundle, with its version, its licence and the full licence texts.

Run by the bundle's spec (build_installer.spec, so `make bundle` and a Windows build alike) in
the build environment, with the distributions the bundle holds. By hand, it describes every
distribution installed beside the interpreter that runs it:

    .venv/bin/python packaging/notices.py --out THIRD-PARTY-NOTICES.txt [--module NAME ...]

The sections: Python itself (PSF licence), the Qt libraries used through Qt for Python
(LGPLv3, with where to get their source and how to replace them), each Python distribution
(licence texts from its metadata's License-File entries or its licence files), then the fonts.
"""

from __future__ import annotations

import argparse
import re
import sys
import sysconfig
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LICENSES = Path(__file__).resolve().parent / "licenses"
RULE = "=" * 78
# Tools that build the bundle but are never inside it, and Jurisdesk itself (its own LICENSE).
NOT_SHIPPED = {
    "jurisdesk",
    "pip",
    "setuptools",
    "wheel",
    "pyinstaller",
    "pyinstaller-hooks-contrib",
    "altgraph",
}
QT_DISTRIBUTIONS = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6"}
LICENCE_FILE = re.compile(r"(?i)^(licen[cs]e|copying|notice|authors|copyright)([._-].*)?$")
FONT_LICENCES = (
    ("DejaVu fonts (resources/fonts)", ROOT / "resources" / "fonts" / "LICENSE-DejaVu.txt"),
    (
        "Droid Sans Fallback (resources/fonts/fallback)",
        ROOT / "resources" / "fonts" / "fallback" / "LICENSE-Apache-2.0.txt",
    ),
    (
        "NanumSquare (resources/fonts/hangul)",
        ROOT / "resources" / "fonts" / "hangul" / "LICENSE-OFL-Nanum.txt",
    ),
    (
        "Symbola (resources/fonts/symbols)",
        ROOT / "resources" / "fonts" / "symbols" / "LICENSE-Symbola.txt",
    ),
)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def distributions_for_modules(modules: Iterable[str]) -> list[metadata.Distribution]:
    """The installed distributions that provide the given top-level modules (as collected into
    a bundle); modules of the standard library match none and are left out."""
    owners = metadata.packages_distributions()
    names = {normalise(dist) for module in modules for dist in owners.get(module, [])}
    return [d for d in installed_distributions() if normalise(d.metadata["Name"]) in names]


def installed_distributions() -> list[metadata.Distribution]:
    """Every distribution beside this interpreter, once each, by name; build tools left out."""
    found: dict[str, metadata.Distribution] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and normalise(name) not in NOT_SHIPPED:
            found.setdefault(normalise(name), dist)
    return [found[key] for key in sorted(found)]


def licence_name(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression
    declared = (meta.get("License") or "").strip()
    if declared and "\n" not in declared and len(declared) < 200:
        return declared
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::")
    ]
    if classifiers:
        return "; ".join(classifiers)
    return "see the licence text below" if declared else "not stated in its metadata"


def licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    """(file name, text) of each licence file: the metadata's License-File entries (in the
    dist-info's licenses/ folder, or at its top for older metadata), else files named like a
    licence among the distribution's own files."""
    texts: list[tuple[str, str]] = []
    for entry in dist.metadata.get_all("License-File") or []:
        text = _read(dist, f"licenses/{entry}") or _read(dist, entry)
        if text:
            texts.append((entry, text))
    if texts:
        return texts
    for file in dist.files or []:
        if file.suffix in {".py", ".pyc", ".so", ".pyd", ".dll"} or "__pycache__" in file.parts:
            continue
        if LICENCE_FILE.match(file.name) and len(file.parts) <= 3:
            try:
                raw = Path(str(file.locate())).read_bytes()
            except OSError:
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
            texts.append((str(file), text))
    return texts


def _read(dist: metadata.Distribution, name: str) -> str | None:
    """A file of the dist-info folder as text; an old licence file in Latin-1 is kept too."""
    try:
        return dist.read_text(name)
    except UnicodeDecodeError:
        folder = getattr(dist, "_path", None)  # a PathDistribution's dist-info folder
        if folder is None:
            return None
        return Path(str(folder)).joinpath(name).read_bytes().decode("latin-1")


def python_licence() -> str | None:
    """The PSF licence of the interpreter that builds (and so is inside) the bundle."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for candidate in (
        stdlib / "LICENSE.txt",
        Path(sys.base_prefix) / "LICENSE.txt",
        Path(sys.base_prefix) / "LICENSE",
    ):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8", errors="replace")
    return None


def section(title: str, body: str) -> str:
    return f"{RULE}\n{title}\n{RULE}\n\n{body.rstrip()}\n\n"


def qt_section(qt_dists: list[metadata.Distribution]) -> str:
    versions = ", ".join(f"{d.metadata['Name']} {d.version}" for d in qt_dists)
    qt_version = next(
        (d.version for d in qt_dists if normalise(d.metadata["Name"]).startswith("pyside6")), "6"
    )
    series = ".".join(qt_version.split(".")[:2])
    note = f"""\
Jurisdesk's windows are drawn by the Qt libraries (Qt {qt_version}), used through Qt for Python
({versions}). They are licensed under the GNU Lesser General Public License version 3
(LGPL-3.0-only; the text follows, with the GNU GPL version 3 it refers to). Qt is (c) The Qt
Company Ltd. and other contributors.

Jurisdesk uses these libraries unmodified and only as shared libraries, which you may replace:

- Linux: _internal/PySide6/Qt/lib/libQt6*.so.6, _internal/PySide6/Qt/plugins/ and the
  PySide6 and shiboken6 modules under _internal/PySide6 and _internal/shiboken6;
- Windows: _internal\\PySide6\\Qt6*.dll, _internal\\PySide6\\plugins\\ and the modules beside
  them.

Put in their place your own build of the same Qt version (or a later, binary-compatible
{series}.x release) with the same file names, and Jurisdesk will use it. Nothing in Jurisdesk's
licence forbids this, nor reverse engineering for debugging such modifications.

The complete corresponding source code of these libraries is published by The Qt Company:
  Qt {qt_version}:            https://download.qt.io/official_releases/qt/{series}/{qt_version}/
  Qt for Python {qt_version}: https://download.qt.io/official_releases/QtForPython/
                        (pyside-setup-everywhere-src-{qt_version}) and https://code.qt.io/
The supplier of your copy of Jurisdesk will also provide that source code on request.
"""
    texts = [note]
    for name in ("LGPL-3.0.txt", "GPL-3.0.txt"):
        path = LICENSES / name
        if path.is_file():
            texts.append(f"--- {name} ---\n\n{path.read_text(encoding='utf-8')}")
    return section(f"Qt and Qt for Python ({versions}) — LGPL-3.0", "\n".join(texts))


def distribution_section(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    lines = [
        f"Name:     {meta['Name']}",
        f"Version:  {dist.version}",
        f"Licence:  {licence_name(dist)}",
    ]
    home = meta.get("Home-page") or next(
        (u.split(",", 1)[1].strip() for u in meta.get_all("Project-URL") or [] if "," in u),
        None,
    )
    if home:
        lines.append(f"Website:  {home}")
    body = "\n".join(lines) + "\n"
    texts = licence_texts(dist)
    if normalise(meta["Name"]) in QT_DISTRIBUTIONS and not texts:
        body += "\nLicence text: the GNU LGPL version 3, in the Qt section of this file.\n"
    elif not texts:
        body += f"\nLicence text: not shipped with it; its licence is {licence_name(dist)}.\n"
    for name, text in texts:
        body += f"\n--- {name} ---\n\n{text.rstrip()}\n"
    return section(f"{meta['Name']} {dist.version}", body)


def notices_text(
    distributions: Iterable[metadata.Distribution],
    *,
    product: str = "Jurisdesk",
    fonts: Iterable[tuple[str, Path]] = FONT_LICENCES,
) -> str:
    dists = sorted(
        (d for d in distributions if normalise(d.metadata["Name"]) not in NOT_SHIPPED),
        key=lambda d: normalise(d.metadata["Name"]),
    )
    qt = [d for d in dists if normalise(d.metadata["Name"]) in QT_DISTRIBUTIONS]
    parts = [
        f"Third-party software in {product}\n\n"
        f"{product} includes the following software by others, each under its own licence\n"
        "(below, in full). Jurisdesk's own licence is in LICENSE.txt beside this file.\n\n"
        "Contents: Python; "
        + ("Qt and Qt for Python; " if qt else "")
        + ", ".join(d.metadata["Name"] for d in dists if d not in qt)
        + "; fonts.\n\n"
    ]
    version = ".".join(str(part) for part in sys.version_info[:3])
    psf = python_licence()
    parts.append(
        section(
            f"Python {version} — PSF-2.0",
            psf
            or "The Python interpreter and standard library, under the Python Software "
            "Foundation License Version 2 (https://docs.python.org/3/license.html).",
        )
    )
    if qt:
        parts.append(qt_section(qt))
    parts.extend(distribution_section(d) for d in dists)
    for title, path in fonts:
        if path.is_file():
            parts.append(section(title, path.read_text(encoding="utf-8")))
    return "".join(parts).rstrip() + "\n"


def write_notices(out: Path, distributions: Iterable[metadata.Distribution]) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(notices_text(distributions), encoding="utf-8", newline="\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, metavar="FILE")
    parser.add_argument(
        "--module",
        action="append",
        default=[],
        metavar="NAME",
        help="a top-level module inside the bundle (repeatable); default: every distribution",
    )
    args = parser.parse_args(argv)
    dists = distributions_for_modules(args.module) if args.module else installed_distributions()
    write_notices(args.out, dists)
    print(f"wrote {args.out} ({len(dists)} distributions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
