"""The letters' building blocks: the fast QR stamp equals a full encoder, and the PDF writer's output reads back."""

from __future__ import annotations

import io
import secrets

from pypdf import PdfReader

from app.letters.pdf import PdfWriter, bitmap_op, text_op
from app.letters.qr import QrStamp
from app.services.voting.voter_keys import CODE_ALPHABET


def test_the_fast_qr_stamp_gives_the_same_symbol_as_a_full_encoding() -> None:
    stamp = QrStamp("https://wijkbudget.example.nl/stemmen/code?code=", 20, CODE_ALPHABET)
    for _ in range(25):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(20))
        assert stamp.bitmap(code) == stamp.reference_bitmap(code)
    assert len(stamp.bitmap("0" * 20)) == stamp.size * stamp.row_bytes
    assert stamp.bitmap("0" * 20) != stamp.bitmap("1" + "0" * 19)


def test_the_streaming_pdf_reads_back_page_by_page() -> None:
    out = io.BytesIO()
    writer = PdfWriter(out)
    writer.shared(text_op("F1", 10, 50, 800, "Gedeeld op elke pagina (met haakjes) – ë"))
    for n in range(600):  # more than one node of the page tree
        writer.page(
            text_op("F3", 20, 50, 500, f"PAGINA-{n}") + bitmap_op(b"\xff\x00" * 4, 16, 4, 400, 400, 3)
        )
    writer.close()
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 600
    text = reader.pages[599].extract_text()
    assert "PAGINA-599" in text and "Gedeeld op elke pagina (met haakjes) – ë" in text
