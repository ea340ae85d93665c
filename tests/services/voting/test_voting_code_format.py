"""The letter-code format: enough randomness, readable, and typos caught by the check symbol."""

from __future__ import annotations

import re

from flask import Flask

from app.services.voting.voter_keys import (
    CODE_ALPHABET,
    new_voting_code,
    normalise_voting_code,
    voting_code_hash,
)


def test_codes_have_95_random_bits_in_five_groups_and_normalise_to_themselves() -> None:
    codes = {new_voting_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}", code)
        assert normalise_voting_code(code) == code.replace("-", "")


def test_typing_variants_are_accepted() -> None:
    code = new_voting_code()
    compact = code.replace("-", "")
    assert normalise_voting_code(code.lower()) == compact
    assert normalise_voting_code(" ".join(code.split("-"))) == compact
    lookalike = compact.replace("0", "O").replace("1", "I")
    assert normalise_voting_code(lookalike) == compact


def test_every_single_symbol_typo_and_neighbour_swap_is_caught() -> None:
    # Luhn mod 32 misses exactly one swap, "0Z" <-> "Z0" (like 09/90 in decimal Luhn); we accept that.
    compact = new_voting_code().replace("-", "")
    for position in range(len(compact)):
        for symbol in CODE_ALPHABET:
            if symbol != compact[position]:
                typo = compact[:position] + symbol + compact[position + 1 :]
                assert normalise_voting_code(typo) is None, typo
    for position in range(len(compact) - 1):
        a, b = compact[position], compact[position + 1]
        if a != b and {a, b} != {"0", "Z"}:
            swapped = compact[:position] + b + a + compact[position + 2 :]
            assert normalise_voting_code(swapped) is None, swapped


def test_the_one_swap_luhn_cannot_see() -> None:
    compact = "0Z" + new_voting_code().replace("-", "")[2:]
    fixed = compact[:-1] + normalise_check(compact[:-1])
    assert normalise_voting_code(fixed) is not None
    assert normalise_voting_code("Z0" + fixed[2:]) == "Z0" + fixed[2:]


def normalise_check(data: str) -> str:
    from app.services.voting.voter_keys import _check_symbol

    return _check_symbol(list(data))


def test_wrong_length_and_foreign_symbols_are_refused() -> None:
    compact = new_voting_code().replace("-", "")
    assert normalise_voting_code(compact[:-1]) is None
    assert normalise_voting_code(compact + "A") is None
    assert normalise_voting_code("U" * 20) is None
    assert normalise_voting_code("") is None


def test_the_stored_hash_is_keyed_and_does_not_contain_the_code(app: Flask) -> None:
    compact = new_voting_code().replace("-", "")
    with app.app_context():
        digest = voting_code_hash(compact)
        app.config["VOTING_CODE_SECRET"] = "another secret"
        try:
            assert voting_code_hash(compact) != digest
        finally:
            app.config["VOTING_CODE_SECRET"] = "test-voting-code-secret"
    assert len(digest) == 64 and compact not in digest.upper()
