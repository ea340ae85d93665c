"""Open eligibility: who may vote in a round whose voters are not in a register (the lowest assurance).

Rules (all self-declared, checked every time the account votes):
- the account's e-mail address is confirmed (a signed link, see `app.services.accounts.email_confirmation`);
- the first four digits of its postcode are one of the wijk's postcode areas, and it gives a house number;
- it is at least the round's `min_age` years old on the day voting opens (Dutch time).
Every unmet condition is reported, each with what fixes it; nothing is stored here.
"""

from __future__ import annotations

from datetime import date

from flask_babel import format_date

from app.ages import age_on
from app.local_time import local_date
from app.models import Round, User
from app.postcodes import format_postcode, postcode_area
from app.services.eligibility.refusal import Fix, Problem
from app.translated import lazy_gettext as _l


def voting_start_date(rnd: Round) -> date:
    """The day voting opens, in Dutch time: the day on which ages are measured."""
    return local_date(rnd.voting_open_at)


def old_enough(birth_date: date, rnd: Round) -> bool:
    return age_on(birth_date, voting_start_date(rnd)) >= rnd.min_age


def open_round_problems(user: User, rnd: Round) -> list[Problem]:
    """Every condition of an open round that `user` does not meet yet (empty: they may vote)."""
    problems: list[Problem] = []
    if user.email_confirmed_at is None:
        problems.append(
            Problem(
                _l("Confirm your e-mail address first: click the link in the e-mail we sent you."),
                Fix.CONFIRM_EMAIL,
            )
        )
    problems += _postcode_problems(user, rnd)
    if user.birth_date is None:
        problems.append(Problem(_l("Fill in your date of birth in your profile."), Fix.PROFILE))
    elif not old_enough(user.birth_date, rnd):
        problems.append(
            Problem(
                _l(
                    "You must be at least %(age)d years old on %(date)s, the day voting opens, to vote in this round.",
                    age=rnd.min_age,
                    date=format_date(voting_start_date(rnd), "d MMMM yyyy"),
                ),
                None,
            )
        )
    return problems


def _postcode_problems(user: User, rnd: Round) -> list[Problem]:
    if not user.postcode:
        return [Problem(_l("Fill in your postcode in your profile."), Fix.PROFILE)]
    areas = list(rnd.wijk.postcodes or [])
    if postcode_area(user.postcode) in areas:
        if user.house_number is None:  # with postcode and birth date: one ballot per person
            return [Problem(_l("Fill in your house number in your profile."), Fix.PROFILE)]
        return []
    return [
        Problem(
            _l(
                "Only residents of %(wijk)s can vote in this round. Your postcode %(postcode)s is not in "
                "its postcode areas (%(areas)s).",
                wijk=rnd.wijk.name,
                postcode=format_postcode(user.postcode),
                areas=", ".join(areas),
            ),
            Fix.PROFILE,
        )
    ]
