"""Anonymous voter keys and receipt codes for ballots.

A ballot row never holds a user id. Instead it holds a keyed hash of (round, voter): the same voter always
gets the same key in a round (so the unique constraint allows one ballot per voter), but nobody without
`VOTER_KEY_SECRET` can work back from the key to the person. A later step adds letter codes (stemcodes);
they derive their key from their register entry, so every channel of one voter shares it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable

from flask import current_app

# No 0/O, 1/I/L, 5/S, 8/B or 2/Z lookalikes: a resident must be able to read the code back without doubt.
RECEIPT_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
RECEIPT_GROUPS = 3
RECEIPT_GROUP_LENGTH = 4


def voter_key_for_mailbox(round_id: int, mailbox: str) -> str:
    """The anonymous key of an account in an open round: HMAC-SHA256 of "round:<id>:mailbox:<mailbox>", hex.

    It is of the normalised mailbox, not of the account, so
    two accounts on one mailbox (`name+1@`, `name+2@`) share one ballot (see `open_round_seats`)."""
    return _keyed_hash(f"round:{round_id}:mailbox:{mailbox}")


def person_key(round_id: int, postcode: str, house_number: int, addition: str, birth_date: str) -> str:
    """The keyed hash of a self-declared person in an open round (postcode, house number, birth date)."""
    return _keyed_hash(f"round:{round_id}:person:{postcode}:{house_number}:{addition}:{birth_date}")


def voter_key_for_register_entry(round_id: int, entry_id: int) -> str:
    """The anonymous key of a voter known from the register (letter code, matched account, paper ballot).

    Every channel of a register voter derives the same key, so UNIQUE(round_id, voter_key) on ballots refuses a
    second ballot through another channel.
    """
    return _keyed_hash(f"round:{round_id}:register:{entry_id}")


def _keyed_hash(message: str) -> str:
    secret = str(current_app.config["VOTER_KEY_SECRET"]).encode()
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def new_receipt_code() -> str:
    """A random receipt code like "K7QM-9XRT-CAWF" (about 56 bits from `secrets`; unique in the database)."""
    groups = (
        "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_GROUP_LENGTH))
        for _ in range(RECEIPT_GROUPS)
    )
    return "-".join(groups)


# Letter codes (stemcodes). Crockford's base-32 alphabet: no I, L, O or U, and a reader who types O for 0 or
# I/L for 1 still gets in. 19 random symbols (95 bits from `secrets`) plus one check symbol, in five groups of
# four: "K7QM-9XRT-CAWF-2HPD-M4N6". The check symbol (Luhn mod 32) catches every single mistyped symbol and
# every swap of two neighbours, so a typo is reported as a typo before anything is looked up.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_DATA_SYMBOLS = 19
CODE_GROUP_LENGTH = 4
_CODE_VALUE = {symbol: value for value, symbol in enumerate(CODE_ALPHABET)}
_CODE_VALUE.update({"O": 0, "I": 1, "L": 1})


def new_compact_voting_code() -> str:
    """A fresh letter code in its canonical, stored-and-hashed form (20 symbols, no dashes)."""
    number = secrets.randbits(5 * CODE_DATA_SYMBOLS)
    symbols = [CODE_ALPHABET[(number >> (5 * i)) & 31] for i in range(CODE_DATA_SYMBOLS)]
    symbols.append(_check_symbol(symbols))
    return "".join(symbols)


def new_voting_code() -> str:
    """A fresh letter code, grouped for print ("XXXX-XXXX-XXXX-XXXX-XXXX")."""
    return format_voting_code(new_compact_voting_code())


def format_voting_code(compact: str) -> str:
    """A normalised code in groups of four, as printed on the letter."""
    return "-".join(compact[i : i + CODE_GROUP_LENGTH] for i in range(0, len(compact), CODE_GROUP_LENGTH))


def normalise_voting_code(text: str) -> str | None:
    """The code as typed (any case, spaces or dashes, O/I/L lookalikes) in canonical compact form, or None when
    it cannot be a code: wrong length, a symbol outside the alphabet, or a failing check symbol."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\u00a0")
    if len(cleaned) != CODE_DATA_SYMBOLS + 1 or any(ch not in _CODE_VALUE for ch in cleaned):
        return None
    canonical = [CODE_ALPHABET[_CODE_VALUE[ch]] for ch in cleaned]
    if _check_symbol(canonical[:-1]) != canonical[-1]:
        return None
    return "".join(canonical)


def voting_code_hash(compact_code: str) -> str:
    """The only form in which a code is stored: HMAC-SHA256 with `VOTING_CODE_SECRET`, hex."""
    return voting_code_hasher()(compact_code)


def voting_code_hasher() -> Callable[[str], str]:
    """`voting_code_hash` with the key set up once, for hashing many codes in a row (a batch of letters)."""
    keyed = hmac.new(str(current_app.config["VOTING_CODE_SECRET"]).encode(), digestmod=hashlib.sha256)

    def hash_code(compact_code: str) -> str:
        mac = keyed.copy()
        mac.update(compact_code.encode())
        return mac.hexdigest()

    return hash_code


def _check_symbol(symbols: list[str]) -> str:
    """Luhn mod 32 over the symbols' values."""
    total = 0
    factor = 2
    for symbol in reversed(symbols):
        addend = factor * _CODE_VALUE[symbol]
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return CODE_ALPHABET[(32 - total % 32) % 32]
