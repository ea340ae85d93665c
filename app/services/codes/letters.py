"""The printable letters for letter codes: a PDF with one letter per page and a CSV for a mail-merge.

Each letter names the municipality, wijk and round, the register reference and address key (postcode, house
number, addition) so the mail house can match it to an address, the code in large print in its groups, a QR
code that opens the ballot with the code filled in, and short instructions in Dutch and in English. What
every letter shares is drawn once (a PDF form); per letter only the reference, address, code and QR change.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.csv_cells import csv_writer
from app.letters.pdf import A4, PdfWriter, bitmap_op, rect_op, text_op
from app.letters.qr import QrStamp
from app.models import PollingLocation, Round
from app.services.paper.polling import locations_of
from app.services.voting.voter_keys import CODE_ALPHABET, CODE_DATA_SYMBOLS, format_voting_code

CODE_VOTE_PATH = "/stemmen/code"
CSV_HEADER = ("reference", "postcode", "house_number", "house_number_addition", "voting_code", "vote_url")
MAX_LETTER_LOCATIONS = 3  # more does not fit under the instructions in two languages
_LEFT = 56.0
_WIDTH = A4[0] - 2 * _LEFT
_RIGHT = 320.0  # the reference and address key, where a window envelope would not show them
_QR_MODULE = 3.4  # points: a 33-module symbol is about 4 cm wide
_QR_X = 430.0  # leaves a white quiet zone of more than four modules around the symbol


@dataclass(frozen=True)
class Letter:
    """One letter: the register entry's address key and its plain code (compact form)."""

    reference: str
    postcode: str
    house_number: int
    house_number_addition: str
    code: str


def vote_url(code: str | None = None) -> str:
    """The public page for voting with a code; with `code`, the link in the QR code that fills it in."""
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    return f"{base}{CODE_VOTE_PATH}" + (f"?code={code}" if code else "")


def address_key(letter: Letter) -> str:
    """ "1234 AB 12-a": how the mail house finds the address (the letter itself never holds a name)."""
    number = f"{letter.house_number}" + (
        f"-{letter.house_number_addition}" if letter.house_number_addition else ""
    )
    return f"{letter.postcode[:4]} {letter.postcode[4:]} {number}"


def write_csv(letters: Iterable[Letter], out: IO[str], *, header: bool = True) -> None:
    """The same letters as CSV rows for a mail-merge (UTF-8, comma separated)."""
    writer = csv_writer(out, lineterminator="\n")
    if header:
        writer.writerow(CSV_HEADER)
    for letter in letters:
        writer.writerow(
            (
                letter.reference,
                letter.postcode,
                letter.house_number,
                letter.house_number_addition,
                format_voting_code(letter.code),
                vote_url(letter.code),
            )
        )


class LetterPrinter:
    """Writes letters of one round to a PDF, page by page. `close()` finishes the file."""

    def __init__(self, rnd: Round, out: IO[bytes]) -> None:
        self._qr = _qr_stamp(vote_url(""))
        self._pdf = PdfWriter(out)
        self._pdf.shared(_shared_content(rnd))

    def add(self, letters: Iterable[Letter]) -> None:
        for letter in letters:
            self._pdf.page(self._page(letter))

    def close(self) -> None:
        self._pdf.close()

    def _page(self, letter: Letter) -> bytes:
        qr = self._qr
        top = A4[1] - 72
        return b"".join(
            (
                text_op("F1", 10, _RIGHT, top, letter.reference),
                text_op("F1", 10, _RIGHT, top - 28, address_key(letter)),
                text_op("F3", 24, _LEFT, 560, format_voting_code(letter.code)),
                bitmap_op(qr.bitmap(letter.code), qr.row_bytes * 8, qr.size, _QR_X, 520, _QR_MODULE),
            )
        )


def single_letter_pdf(rnd: Round, letter: Letter) -> bytes:
    """One letter as a PDF (for a code re-issued or handed out at the desk)."""
    out = io.BytesIO()
    printer = LetterPrinter(rnd, out)
    printer.add([letter])
    printer.close()
    return out.getvalue()


@lru_cache(maxsize=8)
def _qr_stamp(prefix: str) -> QrStamp:
    """Building the stamp takes about a second; a worker reuses it for every batch with the same URL."""
    return QrStamp(prefix + "?code=", CODE_DATA_SYMBOLS + 1, CODE_ALPHABET)


def _shared_content(rnd: Round) -> bytes:
    """Everything that is the same on every letter of the round, in Dutch and in English."""
    top = A4[1] - 72
    wijk = rnd.wijk
    municipality = lambda: _("Municipality of %(name)s", name=wijk.municipality)  # noqa: E731
    # Dutch and English on their own lines: together they would run into the reference column.
    parts = [
        *(
            text_op(font, size, _LEFT, top - drop, line)
            for (font, size, drop), line in zip(
                (("F2", 14, 0), ("F1", 9, 13)), _in_each_language(municipality), strict=False
            )
        ),
        text_op("F1", 11, _LEFT, top - 28, wijk.name),
        text_op("F1", 8, _RIGHT, top + 12, _bilingual(lambda: _("Reference"))),
        text_op("F1", 8, _RIGHT, top - 16, _bilingual(lambda: _("Postcode and house number"))),
        *(
            text_op("F2", 18, _LEFT, top - 70 - 22 * i, line)
            for i, line in enumerate(_wrap(rnd.title, 18, _WIDTH))
        ),
        text_op("F2", 12, _LEFT, 596, _bilingual(lambda: _("Your voting code"))),
        rect_op(_LEFT - 8, 548, 362, 40, grey=0.92),
        text_op("F1", 8, _QR_X, 506, _bilingual(lambda: _("Scan to vote"))),
    ]
    y = 470.0
    for locale in ("nl", "en"):
        with force_locale(locale):
            heading, paragraphs = _instructions(rnd)
        parts.append(text_op("F2", 12, _LEFT, y, heading))
        y -= 18
        for paragraph in paragraphs:
            for line in _wrap(paragraph, 10, _WIDTH):
                parts.append(text_op("F1", 10, _LEFT, y, line))
                y -= 13
            y -= 5
        y -= 12
    return b"".join(parts)


def _bilingual(text: Callable[[], object]) -> str:
    """The same label in Dutch / English (`text` is called once in each locale)."""
    return " / ".join(_in_each_language(text))


def _in_each_language(text: Callable[[], object]) -> list[str]:
    """The label in Dutch, then in English when that differs."""
    with force_locale("nl"):
        dutch = str(text())
    with force_locale("en"):
        english = str(text())
    return [dutch] if dutch == english else [dutch, english]


def _instructions(rnd: Round) -> tuple[str, list[str]]:
    """The instructions in the current (forced) locale."""
    # A round an organiser opened early by hand is open from then, not from the planned date.
    start = format_datetime(rnd.voting_opened_at or rnd.voting_open_at, "d MMMM yyyy HH:mm")
    end = format_datetime(rnd.voting_close_at, "d MMMM yyyy HH:mm")
    return _("How to vote"), [
        _(
            "You may vote in “%(round)s” for %(wijk)s. Voting is open from %(start)s until %(end)s.",
            round=rnd.title,
            wijk=rnd.wijk.name,
            start=start,
            end=end,
        ),
        _(
            "Go to %(url)s or scan the QR code. Fill in your voting code and your postcode, then choose the "
            "projects you support. You do not need an account.",
            url=vote_url(),
        ),
        _(
            "The code works once. Your vote is secret: it is stored without your name, address or this code. "
            "Keep this letter until voting has closed. Lost it? Ask the municipality for a new code; this "
            "code then stops working."
        ),
        *_in_person(rnd),
    ]


def _in_person(rnd: Round) -> list[str]:
    """Where to vote on paper or with help (at most three places, to fit the page), and the helpdesk."""
    lines = [
        _("Vote on paper or with help at %(place)s.", place=_place(location))
        for location in locations_of(rnd.id)[:MAX_LETTER_LOCATIONS]
    ]
    phone = str(current_app.config.get("HELPDESK_PHONE") or "")
    if phone:
        lines.append(_("Questions? Call the helpdesk: %(phone)s.", phone=phone))
    return lines


def _place(location: PollingLocation) -> str:
    parts = [location.name, location.address, location.opening_hours, location.accessibility]
    return ", ".join(" ".join(p.split()) for p in parts if p)


def _wrap(text: str, size: float, width: float) -> Iterator[str]:
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and stringWidth(candidate, "Helvetica", size) > width:
            yield line
            line = word
        else:
            line = candidate
    if line:
        yield line
