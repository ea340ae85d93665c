"""Why an account may not vote yet, each reason with what fixes it.

A service cannot build links (no `url_for` below the web layer), so a problem names its fix as a `Fix`;
the templates turn that into a link.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from app.services.errors import NotAllowed


class Fix(enum.StrEnum):
    CONFIRM_EMAIL = "confirm_email"  # the profile page, which sends the confirmation e-mail again
    PROFILE = "profile"  # fill in or correct postcode or date of birth
    REGISTER_MATCH = "register_match"  # link the account to the register on the round page
    LOGIN = "login"


@dataclass(frozen=True)
class Problem:
    message: Any  # a lazy translated string
    fix: Fix | None = None


class EligibilityRefused(NotAllowed):
    """The account does not (yet) meet the round's eligibility rules; `problems` lists every unmet condition."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems
