"""QR codes for one URL shape (a fixed prefix plus a code of fixed length), about a thousand times faster
than encoding each one from scratch.

With the version, error level, mask and byte mode fixed, a QR symbol is linear over GF(2) in its data bits:
the Reed-Solomon check bytes are a linear function of the data, placement is a permutation, and masking
XORs a constant. So the symbol of any code is the symbol of a base code XOR one precomputed difference per
code position and symbol. segno (a full encoder) builds the base and the 8 single-bit differences per
position once; each letter then costs about twenty XORs of one big integer.
"""

from __future__ import annotations

from collections.abc import Iterable

import segno

_ERROR_LEVEL = "m"  # survives a crease or a coffee stain (15% of the symbol)


class QrStamp:
    """QR symbols of `prefix + code` for codes of `code_length` symbols from `alphabet`.

    `bitmap(code)` gives the symbol as packed rows, one bit per module (1 = dark), each row padded to whole
    bytes: exactly what a 1-bit PDF image wants.
    """

    def __init__(self, prefix: str, code_length: int, alphabet: str) -> None:
        self.prefix = prefix.encode("ascii")
        self.code_length = code_length
        base_code = alphabet[0] * code_length
        base = self._encode(base_code.encode("ascii"), version=None, mask=None)
        self.version = int(base.version)  # a plain QR code: numeric versions only (no Micro QR)
        self.mask = int(base.mask)
        self.size = int(base.symbol_size(border=0)[0])
        self.row_bytes = (self.size + 7) // 8
        self._base = self._as_int(base)
        self._table = [self._position_table(i, base_code, alphabet) for i in range(code_length)]

    def bitmap(self, code: str) -> bytes:
        """The symbol of `prefix + code`, `size` rows of `row_bytes` bytes, top row first."""
        value = self._base
        for position, symbol in enumerate(code):
            value ^= self._table[position][symbol]
        return value.to_bytes(self.size * self.row_bytes, "big")

    def reference_bitmap(self, code: str) -> bytes:
        """The same symbol encoded from scratch by segno: slow, for tests to check `bitmap` against."""
        qr = self._encode(code.encode("ascii"), version=self.version, mask=self.mask)
        return self._as_int(qr).to_bytes(self.size * self.row_bytes, "big")

    def _encode(self, code: bytes, *, version: int | None, mask: int | None) -> segno.QRCode:
        return segno.make_qr(
            self.prefix + code, mode="byte", error=_ERROR_LEVEL, boost_error=False, version=version, mask=mask
        )

    def _position_table(self, position: int, base_code: str, alphabet: str) -> dict[str, int]:
        """For each symbol: what changes in the symbol when the code has it at `position`."""
        per_bit = []
        for bit in range(8):
            changed = bytearray(base_code.encode("ascii"))
            changed[position] ^= 1 << bit
            qr = self._encode(bytes(changed), version=self.version, mask=self.mask)
            per_bit.append(self._as_int(qr) ^ self._base)
        table = {}
        for symbol in alphabet:
            difference = ord(symbol) ^ ord(base_code[position])
            table[symbol] = _xor(per_bit[bit] for bit in range(8) if difference >> bit & 1)
        return table

    def _as_int(self, qr: segno.QRCode) -> int:
        value = 0
        pad = self.row_bytes * 8 - self.size
        for row in qr.matrix:
            bits = 0
            for module in row:
                bits = (bits << 1) | (1 if module else 0)
            value = (value << (self.row_bytes * 8)) | (bits << pad)
        return value


def _xor(values: Iterable[int]) -> int:
    total = 0
    for value in values:
        total ^= value
    return total
