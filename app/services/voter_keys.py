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

from flask import current_app

# No 0/O, 1/I/L, 5/S, 8/B or 2/Z lookalikes: a resident must be able to read the code back without doubt.
RECEIPT_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
RECEIPT_GROUPS = 3
RECEIPT_GROUP_LENGTH = 4


def voter_key_for_user(round_id: int, user_id: int) -> str:
    """The anonymous key of a logged-in user in a round: HMAC-SHA256 of "round:<id>:user:<id>", hex."""
    return _keyed_hash(f"round:{round_id}:user:{user_id}")


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
