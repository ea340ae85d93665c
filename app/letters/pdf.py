"""A small PDF writer that streams pages to a file: constant memory and about half a millisecond per page.

General PDF libraries keep every page in memory until the end, which for 100,000 letters means gigabytes.
This writer knows only what letters need: the standard Helvetica and Courier fonts (no embedding), one
shared form XObject for what every page has in common, text, filled rectangles and 1-bit inline images.
Objects are written as they come; the page tree (in groups, so viewers open it quickly) and the cross-
reference table follow at the end.
"""

from __future__ import annotations

import zlib
from typing import IO

A4 = (595.28, 841.89)
FONTS = {
    "F1": "Helvetica",
    "F2": "Helvetica-Bold",
    "F3": "Courier-Bold",
}
_PAGES_PER_NODE = 256
_CATALOG, _ROOT = 1, 2


def escape_text(text: str) -> bytes:
    """A PDF string literal in WinAnsi encoding (the standard fonts' encoding)."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def text_op(font: str, size: float, x: float, y: float, text: str) -> bytes:
    """Draw one line of text with its baseline starting at (x, y)."""
    return b"BT /%s %g Tf %.2f %.2f Td %s Tj ET\n" % (font.encode(), size, x, y, escape_text(text))


def rect_op(x: float, y: float, width: float, height: float, grey: float = 0.0) -> bytes:
    """A filled rectangle in a shade of grey (0 black, 1 white)."""
    return b"q %g g %.2f %.2f %.2f %.2f re f Q\n" % (grey, x, y, width, height)


def bitmap_op(bitmap: bytes, columns: int, rows: int, x: float, y: float, module: float) -> bytes:
    """A 1-bit image (1 = black), `rows` rows of `columns` bits each, with its lower-left corner at (x, y)
    and square modules `module` points wide. Hex-encoded, so the content stays plain text."""
    return b"q %.3f 0 0 %.3f %.2f %.2f cm BI /W %d /H %d /BPC 1 /CS /G /D [1 0] /F /AHx ID %s> EI Q\n" % (
        columns * module,
        rows * module,
        x,
        y,
        columns,
        rows,
        bitmap.hex().encode(),
    )


class PdfWriter:
    """Write a PDF page by page. Use `shared(content)` once for what every page shows, then `page(content)`
    per page, then `close()`. The caller owns (and closes) the file handle."""

    def __init__(self, handle: IO[bytes], page_size: tuple[float, float] = A4) -> None:
        self._out = handle
        self._offsets: dict[int, int] = {}
        self._next_id = _ROOT + 1
        self._page_size = page_size
        self._nodes: list[tuple[int, list[int]]] = []
        self._pages = 0
        self._position = 0
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        fonts = b" ".join(
            b"/%s %d 0 R" % (name.encode(), self._object(self._font(base))) for name, base in FONTS.items()
        )
        self._font_dict = b"<< " + fonts + b" >>"
        self._resources = self._object(b"<< /Font " + self._font_dict + b" >>")
        self._has_shared = False

    def shared(self, content: bytes) -> None:
        """Content drawn under every following page (stored once, as a form XObject)."""
        width, height = self._page_size
        form = self._stream(
            b"/Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Resources << /Font %s >>"
            % (width, height, self._font_dict),
            content,
        )
        self._resources = self._object(
            b"<< /Font %s /XObject << /Shared %d 0 R >> >>" % (self._font_dict, form)
        )
        self._has_shared = True

    def page(self, content: bytes) -> None:
        """Add one page with this content (drawn on top of the shared content)."""
        if self._has_shared:
            content = b"q /Shared Do Q\n" + content
        contents = self._stream(b"", content)
        if not self._nodes or len(self._nodes[-1][1]) == _PAGES_PER_NODE:
            self._nodes.append((self._reserve(), []))
        node_id, kids = self._nodes[-1]
        width, height = self._page_size
        page_id = self._object(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources %d 0 R /Contents %d 0 R >>"
            % (node_id, width, height, self._resources, contents)
        )
        kids.append(page_id)
        self._pages += 1

    def close(self) -> None:
        """Write the page tree, catalog and cross-reference table."""
        for node_id, kids in self._nodes:
            refs = b" ".join(b"%d 0 R" % kid for kid in kids)
            self._object(
                b"<< /Type /Pages /Parent %d 0 R /Kids [%s] /Count %d >>" % (_ROOT, refs, len(kids)),
                node_id,
            )
        nodes = b" ".join(b"%d 0 R" % node_id for node_id, _kids in self._nodes)
        self._object(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (nodes, self._pages), _ROOT)
        self._object(b"<< /Type /Catalog /Pages %d 0 R >>" % _ROOT, _CATALOG)
        xref_at = self._tell()
        size = self._next_id
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        lines += [b"%010d 00000 n \n" % self._offsets[i] for i in range(1, size)]
        self._write(b"".join(lines))
        self._write(
            b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, _CATALOG, xref_at)
        )

    @staticmethod
    def _font(base: str) -> bytes:
        return b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>" % base.encode()

    def _stream(self, dictionary: bytes, content: bytes) -> int:
        packed = zlib.compress(content, 6)
        return self._object(
            b"<< %s /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
            % (dictionary, len(packed), packed)
        )

    def _reserve(self) -> int:
        object_id = self._next_id
        self._next_id += 1
        return object_id

    def _object(self, body: bytes, object_id: int | None = None) -> int:
        object_id = object_id or self._reserve()
        self._offsets[object_id] = self._tell()
        self._write(b"%d 0 obj\n%s\nendobj\n" % (object_id, body))
        return object_id

    def _tell(self) -> int:
        return self._position

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)
