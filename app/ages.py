"""Ages on a given day, as the minimum voting age is measured: whole years, Dutch birthday rules."""

from __future__ import annotations

from datetime import date


def age_on(born: date, day: date) -> int:
    """Whole years between a birth date and a day (someone born on 29 February turns a year older on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def born_by(day: date, age: int) -> date:
    """The latest birth date of someone who is at least `age` on `day` (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - age, day=28)
