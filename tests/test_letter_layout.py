"""The response letter's page layout read back from the PDF: headings, signature, citations,
page furniture, and dates in English whatever the desktop's language."""

from __future__ import annotations

import locale
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pypdf
import pytest

from app.reports import exports, model, text
from app.services.store import Store
from tests.report_data import build_sample_data

HEADINGS = {"Authorities cited", "Enclosures"}


def pages_of(path: Path) -> list[list[str]]:
    """Each page's non-empty text lines."""
    return [
        [line.strip() for line in (page.extract_text() or "").splitlines() if line.strip()]
        for page in pypdf.PdfReader(path).pages
    ]


def body_lines(lines: list[str]) -> list[str]:
    """A page's lines without the DRAFT marks and the page footer."""
    return [
        line
        for line in lines
        if "DRAFT" not in line and not line.startswith("Page ") and line != "DRAFT"
    ]


@pytest.fixture
def letters(store: Store, tmp_path: Path) -> tuple[Path, Path]:
    """(approved letter, draft letter) of the two sample cities."""
    approved_id, draft_id = build_sample_data(store)
    approved = exports.export_letter(store, approved_id, tmp_path / "approved.pdf").path
    draft = exports.export_letter(store, draft_id, tmp_path / "draft.pdf").path
    return approved, draft


def test_signature_shares_its_page_with_the_body(letters: tuple[Path, Path]) -> None:
    for path in letters:
        pages = pages_of(path)
        last = body_lines(pages[-1])
        closing = next(i for i, line in enumerate(last) if line.startswith("These answers state"))
        # Three lines of body at least above the closing sentence (after the running header).
        assert closing >= 4, last


def test_no_page_ends_with_a_heading(letters: tuple[Path, Path]) -> None:
    for path in letters:
        for lines in pages_of(path)[:-1]:
            tail = body_lines(lines)[-1]
            assert tail not in HEADINGS
            assert not tail.startswith("Question "), tail
            assert " — operated by " not in tail, tail


def test_page_numbers_and_continuation_headers(letters: tuple[Path, Path]) -> None:
    for path in letters:
        pages = pages_of(path)
        total = len(pages)
        assert total > 1
        for number, lines in enumerate(pages, start=1):
            assert f"Page {number} of {total}" in lines
            if number > 1:
                header = " ".join(lines[:4])
                # The letter is addressed to the request's signer, else to its issuing office.
                assert "Alan R. Hanson" in header or "U.S. Department of Justice" in header
                assert text.long_date(date.today()) in header


def test_draft_mark_on_every_page_of_a_draft_only(letters: tuple[Path, Path]) -> None:
    approved, draft = letters
    assert all("DRAFT — NOT APPROVED" in lines for lines in pages_of(draft))
    assert not any("DRAFT" in line for lines in pages_of(approved) for line in lines)


def test_citations_never_break_after_the_section_sign() -> None:
    bound = text.bind_citations("Cal. Gov. Code §§ 7282 and 8 U.S.C. 1373, U.S.C. § 1357")
    assert bound == (
        "Cal. Gov. Code §§\u00a07282 and 8\u00a0U.S.C.\u00a01373, U.S.C.\u00a0§\u00a01357"
    )


def test_no_line_of_a_letter_ends_with_a_section_sign(letters: tuple[Path, Path]) -> None:
    for path in letters:
        for lines in pages_of(path):
            for line in lines:
                assert not line.endswith(("§", "U.S.C.")), line


@pytest.fixture
def spanish_dates() -> Iterator[None]:
    saved = locale.setlocale(locale.LC_TIME)
    try:
        locale.setlocale(locale.LC_TIME, "es_ES.UTF-8")
    except locale.Error:
        pytest.skip("the es_ES.UTF-8 locale is not installed")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_TIME, saved)


def test_dates_are_english_under_a_spanish_desktop(
    spanish_dates: None, letters: tuple[Path, Path]
) -> None:
    assert f"{date(2026, 11, 30):%B}" == "noviembre"  # the locale really is in effect
    assert text.long_date(date(2026, 11, 30)) == "November 30, 2026"
    assert model.long_date is text.long_date
    for path in letters:
        first = pages_of(path)[0]
        assert text.long_date(date.today()) in first
        assert not any("noviembre" in line.lower() for line in first)


def test_long_date_consults_no_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> str:
        raise AssertionError("a document date consulted the locale")

    monkeypatch.setattr(locale, "nl_langinfo", refuse)
    monkeypatch.setattr(locale, "setlocale", refuse)
    assert text.long_date(date(2017, 8, 18)) == "August 18, 2017"
    assert [text.long_date(date(2017, m, 1)).split()[0] for m in (1, 12)] == [
        "January",
        "December",
    ]
