"""The password rule: long enough and not guessable, refused with the reason (zxcvbn finds the weakness)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_babel import force_locale

from app.services.accounts.passwords import check_password
from app.services.errors import RuleViolation


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("kort", "at least 10 characters"),
        ("password123", "common or leaked passwords"),
        ("qwertyuiop", "common or leaked passwords"),
        ("aaaaaaaaaaaa", "repeats characters"),
        ("abcdefghij12", "series like abc"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_password(password)
    assert reason in str(refused.value.message) and refused.value.field == "password"


def test_a_password_made_of_your_own_name_or_address_is_refused() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_password("mariekejansen1980", personal=("marieke.jansen@gemeente.nl", "Marieke Jansen"))
    assert "your name or e-mail address" in str(refused.value.message)


@pytest.mark.parametrize(
    "password", ["paars konijn fietst langs", "correct horse battery", "Sterk-w8woord-voor-de-test"]
)
def test_long_unguessable_passwords_pass(password: str) -> None:
    check_password(password, personal=("sanne@example.nl", "Sanne"))
