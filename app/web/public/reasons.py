"""Why a project won or lost, in the visitor's language, from the structured explanation of the count."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from app.money import euro_text as euro
from app.money import whole_cents

Details = Mapping[str, Any]


def reason_text(explanation: Mapping[str, Any], titles: Mapping[int, str], *, points: bool = False) -> str:
    """One plain sentence for a stored explanation ({"code", "details"}); unknown codes get a neutral one.

    `points`: the round's scores are points (a points or ranked ballot), not numbers of votes."""
    details: Details = explanation.get("details") or {}
    code = str(explanation.get("code"))
    if code == "below_threshold" and points:
        return _below_threshold_points(details, titles)
    render = _RENDERERS.get(code)
    if render is None:
        return _("Not chosen.")
    return render(details, titles)


def _money(value: Any) -> str:
    # Amounts are cents; an equal-shares amount may be a fraction of a cent (stored for display only).
    return euro(whole_cents(value)) if value is not None else "?"


def _count(value: Any) -> str:
    if value is None:
        return "?"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.2f}"


def _selected(d: Details, titles: Mapping[int, str]) -> str:
    if d.get("rank") is None or d.get("budget_left") is None:
        return _("Chosen.")
    if d.get("phase") == "leftover":
        return _(
            "Chosen with the money that was left over after the count: it still fitted, and %(left)s was left "
            "after it.",
            left=_money(d["budget_left"]),
        )
    return _(
        "Chosen: it was number %(rank)s to be funded, and %(left)s was left after it.",
        rank=_count(d["rank"]),
        left=_money(d["budget_left"]),
    )


def _did_not_fit(d: Details, titles: Mapping[int, str]) -> str:
    if d.get("budget_left") == 0:
        return _(
            "Too few votes: the budget was used up by projects with more votes before it was this project's turn."
        )
    return _(
        "Did not fit in what was left: %(left)s was left when it was its turn, and it costs %(cost)s.",
        left=_money(d.get("budget_left")),
        cost=_money(d.get("cost")),
    )


def _too_few_votes(d: Details, titles: Mapping[int, str]) -> str:
    stopped = d.get("stopped_at")
    return _(
        "Too few votes: counting stopped at “%(project)s”, which had more votes but did not fit, "
        "before it was this project's turn.",
        project=titles.get(int(stopped), str(stopped)) if stopped is not None else "?",
    )


def _below_threshold(d: Details, titles: Mapping[int, str]) -> str:
    return _(
        "Below the threshold: it got %(score)s votes and needed at least %(minimum)s.",
        score=_count(d.get("score")),
        minimum=_count(d.get("min_score")),
    )


def _below_threshold_points(d: Details, titles: Mapping[int, str]) -> str:
    return _(
        "Below the threshold: its score was %(score)s and it needed at least %(minimum)s.",
        score=_count(d.get("score")),
        minimum=_count(d.get("min_score")),
    )


def _partially_funded(d: Details, titles: Mapping[int, str]) -> str:
    return _(
        "Partly funded: it was next in line, and the %(amount)s left over after the count goes to it. It costs "
        "%(cost)s, so %(missing)s is still missing.",
        amount=_money(d.get("amount")),
        cost=_money(d.get("cost")),
        missing=_money(d.get("missing")),
    )


def _category_cap(d: Details, titles: Mapping[int, str]) -> str:
    return _(
        "The money for the theme “%(group)s” had run out: at most %(cap)s could go to it, %(spent)s was "
        "already spent on it, and this project costs %(cost)s.",
        group=d.get("category", "?"),
        cap=_money(d.get("cap")),
        spent=_money(d.get("spent")),
        cost=_money(d.get("cost")),
    )


def _neighborhood_cap(d: Details, titles: Mapping[int, str]) -> str:
    return _(
        "The money for the area “%(group)s” had run out: at most %(cap)s could go to it, %(spent)s was "
        "already spent on it, and this project costs %(cost)s.",
        group=d.get("neighborhood", "?"),
        cap=_money(d.get("cap")),
        spent=_money(d.get("spent")),
        cost=_money(d.get("cost")),
    )


def _not_affordable(d: Details, titles: Mapping[int, str]) -> str:
    return ngettext(
        "Its %(num)d supporter had only %(money)s of their equal share left, too little for its cost of "
        "%(cost)s.",
        "Its %(num)d supporters together had only %(money)s of their equal shares left, too little for its "
        "cost of %(cost)s.",
        int(d.get("supporters") or 0),
        money=_money(d.get("supporters_money_left")),
        cost=_money(d.get("cost")),
    )


def _no_support(d: Details, titles: Mapping[int, str]) -> str:
    return _("Nobody voted for it.")


def _not_selected(d: Details, titles: Mapping[int, str]) -> str:
    return _("Not chosen.")


_RENDERERS: dict[str, Callable[[Details, Mapping[int, str]], str]] = {
    "selected": _selected,
    "did_not_fit": _did_not_fit,
    "too_few_votes": _too_few_votes,
    "below_threshold": _below_threshold,
    "category_cap": _category_cap,
    "neighborhood_cap": _neighborhood_cap,
    "mes_not_affordable": _not_affordable,
    "mes_no_support": _no_support,
    "partially_funded": _partially_funded,
    "not_selected": _not_selected,
}
