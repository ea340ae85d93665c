"""Per-project explanations of a count, as structured data.

Each project gets one :class:`Explanation`: a reason ``code`` plus the numbers behind it.  The web app turns a
code and its numbers into a sentence with Flask-Babel (Dutch/English); :func:`render_text` is a plain renderer
for the command line and logs.

Codes and their ``details`` keys (money and scores are exact ``int``/``Fraction``):

``selected``
    ``rank`` (1 = first selected), ``score``, ``cost``, ``budget_left`` (after paying for it); for the
    equal-shares rules also ``phase``: ``"equal_shares"`` or ``"completion"`` (picked by the greedy
    completion of ``equalshares/add1-greedy``).
``did_not_fit``
    Greedy: at its turn the project cost more than was left.  ``score``, ``cost``, ``budget_left``.
``below_threshold``
    ``greedy-threshold``: ``score`` is below ``min_score``.
``too_few_votes``
    ``greedy-no-skip``: counting stopped before its turn, at ``stopped_at`` (a project with a higher score,
    ``stopped_at_score``, that did not fit); ``score`` is this project's score.
``category_cap`` / ``neighborhood_cap``
    It would have pushed its ``category`` / ``neighborhood`` over its cap: ``cap``, ``spent`` (already spent
    in that group at its turn), ``cost``, ``score``.
``mes_not_affordable``
    Method of Equal Shares: when the rule passed it over its supporters did not have enough money left.
    ``cost``, ``supporters``, ``supporters_money_left`` (their money in total at that moment),
    ``needed_supporters`` (how many more supporters, each with an equal share, it would have needed) and
    ``max_affordable_cost`` (the highest cost it could have had and still be bought), when the equal-shares
    module provides them; any further numbers it provides are kept.
``mes_no_support``
    Equal shares: nobody supports it, so no money can be spent on it.
``partially_funded``
    The leftover step (:mod:`app.counting.leftover`, policy ``partial``) gave it the money the rule left:
    ``amount`` of its ``cost`` (``missing`` is the rest), ``score``, and ``before``: the reason code it had
    after the rule.  A project the leftover step funds fully is ``selected`` with ``phase`` ``"leftover"``
    and ``before``.
``not_selected``
    Fallback when a rule gave no more specific reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final, Literal, TypeAlias

Detail: TypeAlias = int | Fraction | str | bool | None
"""A value in an explanation: an exact number, a project id / category name, a flag, or nothing."""

SELECTED: Final = "selected"
DID_NOT_FIT: Final = "did_not_fit"
BELOW_THRESHOLD: Final = "below_threshold"
TOO_FEW_VOTES: Final = "too_few_votes"
CATEGORY_CAP: Final = "category_cap"
NEIGHBORHOOD_CAP: Final = "neighborhood_cap"
MES_NOT_AFFORDABLE: Final = "mes_not_affordable"
MES_NO_SUPPORT: Final = "mes_no_support"
PARTIALLY_FUNDED: Final = "partially_funded"
NOT_SELECTED: Final = "not_selected"

CODES: Final[tuple[str, ...]] = (
    SELECTED,
    DID_NOT_FIT,
    BELOW_THRESHOLD,
    TOO_FEW_VOTES,
    CATEGORY_CAP,
    NEIGHBORHOOD_CAP,
    MES_NOT_AFFORDABLE,
    MES_NO_SUPPORT,
    PARTIALLY_FUNDED,
    NOT_SELECTED,
)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why one project was or was not selected: a reason code and the numbers behind it."""

    project_id: str
    code: str
    details: Mapping[str, Detail] = field(default_factory=dict)

    @property
    def selected(self) -> bool:
        return self.code == SELECTED

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: ``{"project_id", "code", "details"}`` with numbers made JSON-safe.

        A whole number stays an int; any other fraction becomes a float rounded to 6 decimals.  That float is
        for display only; the decisions were taken on the exact value.
        """
        return {
            "project_id": self.project_id,
            "code": self.code,
            "details": {key: json_number(value) for key, value in self.details.items()},
        }


def json_number(value: object) -> object:
    """Make an exact number JSON-safe: ints unchanged, other Fractions as floats (display only)."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        return round(float(value), 6)
    return value


_FRACTION_TEXT: Final = re.compile(r"-?\d+/\d+")


def coerce_details(raw: Mapping[str, object]) -> dict[str, Detail]:
    """Keep the values of a foreign details mapping that fit :data:`Detail`; turn anything else into text.

    Used for the explanations coming from the equal-shares module, whose dictionaries are typed loosely and
    write non-whole amounts as ``"numerator/denominator"`` text: those become exact Fractions again.
    """
    out: dict[str, Detail] = {}
    for key, value in raw.items():
        if isinstance(value, str) and _FRACTION_TEXT.fullmatch(value):
            out[str(key)] = Fraction(value)
        elif value is None or isinstance(value, bool | int | Fraction | str):
            out[str(key)] = value
        elif isinstance(value, float):
            # A float should not come in (money is exact), but if it does, keep it as text, visibly inexact.
            out[str(key)] = repr(value)
        else:
            out[str(key)] = str(value)
    return out


def format_number(value: Detail) -> str:
    """Format a number for humans: thousands separated by a thin space, at most two decimals."""
    if value is None:
        return "-"
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, Fraction) and value.denominator != 1:
        whole = f"{float(value):,.2f}"
    else:
        whole = f"{int(value):,}"
    return whole.replace(",", "\u202f")


Language: TypeAlias = Literal["en", "nl"]

_TEMPLATES: Final[dict[str, dict[str, str]]] = {
    "en": {
        SELECTED: "selected as number {rank} (score {score}, cost {cost}; {budget_left} left after it)",
        DID_NOT_FIT: "did not fit: it costs {cost} but only {budget_left} was left at its turn",
        BELOW_THRESHOLD: "score {score} is below the minimum of {min_score}",
        TOO_FEW_VOTES: "too few votes: counting stopped at {stopped_at} (score {stopped_at_score}), "
        "which did not fit, before reaching this project (score {score})",
        CATEGORY_CAP: "category '{category}' was capped at {cap}; {spent} was already spent there "
        "and this project costs {cost}",
        NEIGHBORHOOD_CAP: "neighbourhood '{neighborhood}' was capped at {cap}; {spent} was already spent "
        "there and this project costs {cost}",
        MES_NOT_AFFORDABLE: "its {supporters} supporters had only {supporters_money_left} left for a "
        "project costing {cost}",
        MES_NO_SUPPORT: "nobody voted for it",
        PARTIALLY_FUNDED: "partly funded with the {amount} left over (score {score}; it costs {cost}, "
        "{missing} is missing)",
        NOT_SELECTED: "not selected",
    },
    "nl": {
        SELECTED: "gekozen als nummer {rank} (score {score}, kosten {cost}; daarna nog {budget_left} over)",
        DID_NOT_FIT: "paste niet: het kost {cost} maar er was nog maar {budget_left} over toen het aan "
        "de beurt was",
        BELOW_THRESHOLD: "score {score} is lager dan het minimum van {min_score}",
        TOO_FEW_VOTES: "te weinig stemmen: het tellen stopte bij {stopped_at} (score {stopped_at_score}), "
        "dat niet paste, voordat dit project (score {score}) aan de beurt was",
        CATEGORY_CAP: "categorie '{category}' had een plafond van {cap}; daar was al {spent} besteed en "
        "dit project kost {cost}",
        NEIGHBORHOOD_CAP: "buurt '{neighborhood}' had een plafond van {cap}; daar was al {spent} besteed "
        "en dit project kost {cost}",
        MES_NOT_AFFORDABLE: "de {supporters} voorstemmers hadden samen nog maar {supporters_money_left} "
        "over voor een project van {cost}",
        MES_NO_SUPPORT: "niemand heeft erop gestemd",
        PARTIALLY_FUNDED: "deels betaald met de {amount} die over was (score {score}; het kost {cost}, "
        "er ontbreekt {missing})",
        NOT_SELECTED: "niet gekozen",
    },
}

_MES_EXTRA: Final[dict[str, tuple[str, str]]] = {
    "en": ("; it needed {needed_supporters} more supporters", "; or a cost of at most {max_affordable_cost}"),
    "nl": (
        "; er waren {needed_supporters} voorstemmers meer nodig",
        "; of kosten van hooguit {max_affordable_cost}",
    ),
}


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def render_text(explanation: Explanation, lang: Language = "en") -> str:
    """Render an explanation as one plain sentence (English or Dutch) for the command line.

    Unknown codes render as the code followed by their details, so nothing is ever silently dropped.
    """
    templates = _TEMPLATES[lang]
    values = _Fill({key: format_number(value) for key, value in explanation.details.items()})
    template = templates.get(explanation.code)
    if template is None:
        inner = ", ".join(f"{k}={v}" for k, v in values.items())
        return f"{explanation.code} ({inner})" if inner else explanation.code
    text = template.format_map(values)
    if explanation.code == MES_NOT_AFFORDABLE:
        more, cheaper = _MES_EXTRA[lang]
        if explanation.details.get("needed_supporters") is not None:
            text += more.format_map(values)
        if explanation.details.get("max_affordable_cost") is not None:
            text += cheaper.format_map(values)
    phase = explanation.details.get("phase") if explanation.code == SELECTED else None
    if phase == "completion":
        text += " in the greedy completion" if lang == "en" else " bij het aanvullen met de overgebleven pot"
    elif phase == "leftover":
        text += " with the money left over" if lang == "en" else " met het geld dat over was"
    return text
