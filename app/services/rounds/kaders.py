"""Rounds and their kaders (the rules fixed before voting): create, change, and freeze from voting on."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from app.extensions import db
from app.models import (
    BallotType,
    Eligibility,
    LeftoverPolicy,
    RegisterLevel,
    Round,
    RoundBuurtBudget,
    RoundCap,
    TieBreak,
    User,
    Wijk,
)
from app.money import MAX_CENTS, euro_text
from app.services.audit import record_event
from app.services.eligibility.registers import register_in_use
from app.services.errors import NotFound, RuleViolation
from app.services.rounds.wijken import InvalidFields, require_organiser
from app.translated import lazy_gettext as _l
from app.typed_text import multi_line, one_line

TITLE_MAX = 200
CATEGORY_MAX = 80  # Project.category is String(80)
OUT_OF_SCOPE_MAX = 4000
MAX_CHOICES = 1000
# A knapsack ballot is limited by the budget, not by a number of projects; these values keep the
# choice columns meaningful (at least one project, no practical maximum).
KNAPSACK_CHOICES = (1, MAX_CHOICES)
DEFAULT_RULE = "greedy"
MAX_AGE = 120  # the model's check constraint
MAX_ACCOUNTS_PER_ADDRESS = 50  # the model's check constraint
MAX_RETENTION_DAYS = 730  # long enough for objections and appeals; the register is personal data
# Kaders the imported register was checked against: fixed while the round has a register (clear it first).
REGISTER_BOUND_FIELDS = ("eligibility", "register_level", "min_age")
DATE_FIELDS = ("proposals_open_at", "review_open_at", "voting_open_at", "voting_close_at", "results_at")
MAX_POINTS = 100  # points per resident on a points ballot: enough for any real ballot, readable on a phone
MAX_MIN_VOTES = 1_000_000
# Ballots whose choice limits are a number of projects; the others use KNAPSACK_CHOICES.
CHOICE_BALLOTS = (BallotType.APPROVAL.value, BallotType.RANKED.value)
# Kaders stored in rows of their own (caps, buurt budgets) rather than in columns of the round.
AMOUNT_FIELDS = ("category_caps", "buurt_caps", "buurt_budgets")


@dataclass(frozen=True)
class RoundSettings:
    """Everything an organiser fixes for a round: title, kaders and the five phase dates (aware UTC)."""

    title: str
    budget_cents: int
    min_project_cost_cents: int
    max_project_cost_cents: int
    categories: tuple[str, ...]
    ballot_type: str
    min_choices: int | None
    max_choices: int | None
    knapsack_min_spend_pct: int | None
    counting_rule: str
    tie_break: str
    leftover_policy: str
    out_of_scope: str
    proposals_open_at: datetime
    review_open_at: datetime
    voting_open_at: datetime
    voting_close_at: datetime
    results_at: datetime
    # Who may vote (defaults as the model's, so older callers keep working).
    eligibility: str = Eligibility.OPEN.value
    register_level: str = RegisterLevel.PERSON.value
    min_age: int = 12
    register_retention_days: int = 90
    # Open rounds: accounts that may vote with one postcode, house number and date of birth.
    accounts_per_address: int = 1
    # Points ballot: points per resident (per part of the ballot) and at most this many for one project.
    points_total: int | None = None
    points_per_project: int | None = None
    # greedy-threshold: the votes (points, on a points ballot) a project needs at least.
    min_votes: int | None = None
    # Caps: at most this much (cents) for projects of a theme / of a buurt (buurt id). Greedy rules only.
    category_caps: Mapping[str, int] = field(default_factory=dict)
    buurt_caps: Mapping[int, int] = field(default_factory=dict)
    # Buurten with a budget of their own (buurt id -> cents): each is a separate part of the ballot.
    buurt_budgets: Mapping[int, int] = field(default_factory=dict)


# The rules a round can use: those whose every setting the kaders hold and that the kaders explain in plain
# words. greedy-no-skip/-per-cost are not used by Dutch municipalities; the counting package still counts
# them for pabulib files.
ROUND_RULES = ("greedy", "greedy-threshold", "equalshares/add1", "equalshares/add1-greedy")
# The rules that honour caps per theme or buurt (the equal-shares rules divide the money by voters instead).
CAPPED_RULES = ("greedy", "greedy-threshold")


def counting_rules() -> tuple[str, ...]:
    """The counting rules an organiser may choose; "greedy" first (the default)."""
    from app.counting.rules import RULES

    return tuple(rule for rule in ROUND_RULES if rule == DEFAULT_RULE or rule in RULES)


def settings_of(rnd: Round) -> RoundSettings:
    """The current settings of a round (to fill in the edit form)."""
    values = {f.name: getattr(rnd, f.name) for f in fields(RoundSettings) if f.name not in AMOUNT_FIELDS}
    values["categories"] = tuple(rnd.categories or ())
    values["category_caps"] = {c.category: c.cap_cents for c in rnd.caps if c.category is not None}
    values["buurt_caps"] = {c.buurt_id: c.cap_cents for c in rnd.caps if c.buurt_id is not None}
    values["buurt_budgets"] = {b.buurt_id: b.budget_cents for b in rnd.buurt_budgets}
    return RoundSettings(**values)


def normalise(settings: RoundSettings) -> RoundSettings:
    """Trim text, drop empty categories, and clear what the chosen ballot type and rule do not use."""
    values = asdict(settings)
    values["title"] = one_line(settings.title)
    values["out_of_scope"] = multi_line(settings.out_of_scope)
    values["categories"] = tuple(c for c in (one_line(x) for x in settings.categories) if c)
    if settings.ballot_type not in CHOICE_BALLOTS:
        values["min_choices"] = values["max_choices"] = None  # not used; see KNAPSACK_CHOICES
    if settings.ballot_type != BallotType.KNAPSACK.value:
        values["knapsack_min_spend_pct"] = None
    if settings.ballot_type != BallotType.POINTS.value:
        values["points_total"] = values["points_per_project"] = None
    if settings.counting_rule != "greedy-threshold":
        values["min_votes"] = None
    for name in AMOUNT_FIELDS:
        values[name] = {key: cents for key, cents in dict(getattr(settings, name)).items() if cents}
    # A cap is kept under the category's own spelling: the count matches categories exactly.
    spelling = {c.lower(): c for c in values["categories"]}
    values["category_caps"] = {
        spelling.get(name.lower(), name): cents
        for name, cents in ((one_line(str(c)), v) for c, v in values["category_caps"].items())
    }
    return RoundSettings(**values)


def check_round(s: RoundSettings, buurt_ids: Collection[int] | None = None) -> dict[str, Any]:
    """Every rule the kaders must meet, as {field: message}; empty when all is well.

    Budget positive; 0 <= min project cost <= max project cost <= budget; at least one category; approval
    and ranked: 1 <= min choices <= max choices; knapsack: minimum spend 0-100 %; points: 1 to 100 points,
    at most that many per project; a known counting rule, tie-break and leftover policy; greedy-threshold
    needs the minimum number of votes; dates in order: proposals < review < voting opens < voting closes <=
    result. Caps (themes of the round, buurten of `buurt_ids`) only with a greedy rule, each more than € 0
    and at most the budget; a buurt budget at least the minimum project cost; buurt caps and buurt budgets
    not together (a buurt with its own budget needs no cap).
    """
    errors: dict[str, Any] = {}
    _check_title(s, errors)
    _check_money(s, errors)
    _check_categories(s, errors)
    _check_ballot(s, errors)
    _check_options(s, errors)
    _check_caps(s, errors, buurt_ids)
    _check_buurt_budgets(s, errors, buurt_ids)
    _check_eligibility(s, errors)
    _check_dates(s, errors)
    if len(s.out_of_scope) > OUT_OF_SCOPE_MAX:
        errors["out_of_scope"] = _l("Use at most %(n)d characters.", n=OUT_OF_SCOPE_MAX)
    return errors


def _check_title(s: RoundSettings, errors: dict[str, Any]) -> None:
    if not s.title:
        errors["title"] = _l("Fill in a title for the round.")
    elif len(s.title) > TITLE_MAX:
        errors["title"] = _l("Use at most %(n)d characters.", n=TITLE_MAX)


def _check_money(s: RoundSettings, errors: dict[str, Any]) -> None:
    if not 0 < s.budget_cents <= MAX_CENTS:
        errors["budget_cents"] = _l("The budget must be more than € 0 and at most € 20 million.")
    if not 0 <= s.min_project_cost_cents <= MAX_CENTS:
        errors["min_project_cost_cents"] = _l("Fill in an amount from € 0 to € 20 million.")
    elif s.min_project_cost_cents > s.max_project_cost_cents:
        errors["min_project_cost_cents"] = _l("The minimum cost may not be higher than the maximum cost.")
    if s.max_project_cost_cents <= 0:
        errors["max_project_cost_cents"] = _l("The maximum cost must be more than € 0.")
    elif s.max_project_cost_cents > s.budget_cents and "budget_cents" not in errors:
        errors["max_project_cost_cents"] = _l(
            "The maximum cost of one project may not be more than the budget."
        )


def _check_categories(s: RoundSettings, errors: dict[str, Any]) -> None:
    if not s.categories:
        errors["categories"] = _l("Fill in at least one category.")
    elif any(len(c) > CATEGORY_MAX for c in s.categories):
        errors["categories"] = _l("A category may have at most %(n)d characters.", n=CATEGORY_MAX)
    elif len({c.lower() for c in s.categories}) != len(s.categories):
        errors["categories"] = _l("Each category may be listed only once.")


def _check_ballot(s: RoundSettings, errors: dict[str, Any]) -> None:
    if s.ballot_type in CHOICE_BALLOTS:
        if s.min_choices is None or not 1 <= s.min_choices <= MAX_CHOICES:
            errors["min_choices"] = _l("Fill in a whole number of at least 1.")
        if s.max_choices is None or not 1 <= s.max_choices <= MAX_CHOICES:
            errors["max_choices"] = _l("Fill in a whole number of at least 1.")
        elif s.min_choices is not None and s.max_choices < s.min_choices:
            errors["max_choices"] = _l("The maximum number of choices may not be lower than the minimum.")
    elif s.ballot_type == BallotType.KNAPSACK.value:
        pct = s.knapsack_min_spend_pct
        if pct is not None and not 0 <= pct <= 100:
            errors["knapsack_min_spend_pct"] = _l("Fill in a percentage from 0 to 100.")
    elif s.ballot_type == BallotType.POINTS.value:
        _check_points(s, errors)
    else:
        errors["ballot_type"] = _l("Choose how residents vote.")


def _check_points(s: RoundSettings, errors: dict[str, Any]) -> None:
    if s.points_total is None or not 1 <= s.points_total <= MAX_POINTS:
        errors["points_total"] = _l("Fill in a whole number of points from 1 to %(n)d.", n=MAX_POINTS)
    elif s.points_per_project is not None and not 1 <= s.points_per_project <= s.points_total:
        errors["points_per_project"] = _l(
            "Fill in a whole number from 1 to the number of points (%(n)d), or leave it empty.",
            n=s.points_total,
        )


def _check_options(s: RoundSettings, errors: dict[str, Any]) -> None:
    if s.counting_rule not in counting_rules():
        errors["counting_rule"] = _l("Choose one of the counting rules.")
    if s.tie_break not in {t.value for t in TieBreak}:
        errors["tie_break"] = _l("Choose how ties are broken.")
    if s.leftover_policy not in {p.value for p in LeftoverPolicy}:
        errors["leftover_policy"] = _l("Choose what happens to money that is left over.")
    if s.counting_rule == "greedy-threshold" and (
        s.min_votes is None or not 1 <= s.min_votes <= MAX_MIN_VOTES
    ):
        errors["min_votes"] = _l(
            "Fill in how many votes a project needs at least: a whole number of 1 or more."
        )


def _check_caps(s: RoundSettings, errors: dict[str, Any], buurt_ids: Collection[int] | None) -> None:
    if not s.category_caps and not s.buurt_caps:
        return
    if s.counting_rule not in CAPPED_RULES:
        message = _l(
            "Caps work only with the counting rule “most votes first”. Choose that rule or remove the caps."
        )
        errors["category_caps" if s.category_caps else "buurt_caps"] = message
        return
    known = {c.lower() for c in s.categories}
    unknown = [c for c in s.category_caps if c.lower() not in known]
    if unknown:
        errors["category_caps"] = _l(
            "“%(name)s” is not one of the categories of this round.", name=unknown[0]
        )
    elif any(not 0 < cap <= s.budget_cents for cap in s.category_caps.values()):
        errors["category_caps"] = _l(
            "A cap must be more than € 0 and at most the budget (%(budget)s).",
            budget=euro_text(s.budget_cents),
        )
    if s.buurt_caps and s.buurt_budgets:
        errors["buurt_caps"] = _l(
            "A buurt with a budget of its own needs no cap. Use either caps per buurt or budgets per buurt."
        )
    elif buurt_ids is not None and any(b not in buurt_ids for b in s.buurt_caps):
        errors["buurt_caps"] = _l("This buurt is not part of the neighbourhood of the round.")
    elif any(not 0 < cap <= s.budget_cents for cap in s.buurt_caps.values()):
        errors["buurt_caps"] = _l(
            "A cap must be more than € 0 and at most the budget (%(budget)s).",
            budget=euro_text(s.budget_cents),
        )


def _check_buurt_budgets(s: RoundSettings, errors: dict[str, Any], buurt_ids: Collection[int] | None) -> None:
    if not s.buurt_budgets:
        return
    if buurt_ids is not None and any(b not in buurt_ids for b in s.buurt_budgets):
        errors["buurt_budgets"] = _l("This buurt is not part of the neighbourhood of the round.")
    elif any(
        not max(s.min_project_cost_cents, 1) <= cents <= MAX_CENTS for cents in s.buurt_budgets.values()
    ):
        errors["buurt_budgets"] = _l(
            "A buurt budget must be at least the minimum cost of one project (%(min)s) and at most € 20 million.",
            min=euro_text(max(s.min_project_cost_cents, 1)),
        )


def _check_eligibility(s: RoundSettings, errors: dict[str, Any]) -> None:
    if s.eligibility not in {e.value for e in Eligibility}:
        errors["eligibility"] = _l("Choose who may vote.")
    if s.register_level not in {r.value for r in RegisterLevel}:
        errors["register_level"] = _l("Choose whether the register lists persons or households.")
    if s.min_age is None or not 0 <= s.min_age <= MAX_AGE:
        errors["min_age"] = _l("Fill in an age from 0 to %(n)d.", n=MAX_AGE)
    if s.accounts_per_address is None or not 1 <= s.accounts_per_address <= MAX_ACCOUNTS_PER_ADDRESS:
        errors["accounts_per_address"] = _l("Fill in a number from 1 to %(n)d.", n=MAX_ACCOUNTS_PER_ADDRESS)
    retention = s.register_retention_days
    if retention is None or not 0 <= retention <= MAX_RETENTION_DAYS:
        errors["register_retention_days"] = _l(
            "Fill in a number of days from 0 to %(n)d.", n=MAX_RETENTION_DAYS
        )


def _check_dates(s: RoundSettings, errors: dict[str, Any]) -> None:
    for name in DATE_FIELDS:
        value = getattr(s, name)
        if value is None or value.tzinfo is None:
            errors[name] = _l("Fill in a date and time.")
    messages = {
        "review_open_at": _l("The feasibility check must start after proposals open."),
        "voting_open_at": _l("Voting must open after the feasibility check starts."),
        "voting_close_at": _l("Voting must close after it opens."),
        "results_at": _l("The result cannot come before voting closes."),
    }
    for earlier, later in zip(DATE_FIELDS, DATE_FIELDS[1:], strict=False):
        if earlier in errors or later in errors:
            continue
        a, b = getattr(s, earlier), getattr(s, later)
        if (a > b) if later == "results_at" else (a >= b):
            errors[later] = messages[later]


def create_round(actor: User, wijk_id: int, settings: RoundSettings) -> Round:
    """Create a round of a wijk in the DRAFT phase (rules: see `check_round`); audited as "round.created"."""
    require_organiser(actor)
    if db.session.get(Wijk, wijk_id) is None:
        raise NotFound(_l("This neighbourhood does not exist."))
    settings = normalise(settings)
    errors = check_round(settings, _buurt_ids(wijk_id))
    if errors:
        raise InvalidFields(errors)
    values = asdict(settings)
    values["categories"] = list(settings.categories)
    if values["min_choices"] is None:
        values["min_choices"], values["max_choices"] = KNAPSACK_CHOICES
    rnd = Round(wijk_id=wijk_id, **{k: v for k, v in values.items() if k not in AMOUNT_FIELDS})
    _set_amounts(rnd, settings)
    with _constraints_explained():
        db.session.add(rnd)
        db.session.flush()
        record_event(actor, "round.created", round_id=rnd.id, subject=_subject(rnd), details=_plain(values))
        db.session.commit()
    return rnd


def _buurt_ids(wijk_id: int) -> set[int]:
    wijk = db.session.get(Wijk, wijk_id)
    return {b.id for b in wijk.buurten} if wijk is not None else set()


def _set_amounts(rnd: Round, settings: RoundSettings) -> None:
    """Write the caps and buurt budgets as rows of their own (the round's other kaders are columns).

    Rows that stay are updated in place: replacing them would insert the new row before deleting the old one
    and trip the unique keys.
    """
    wanted_caps: dict[tuple[str | None, int | None], int] = {
        (category, None): cents for category, cents in settings.category_caps.items()
    }
    wanted_caps.update({(None, buurt_id): cents for buurt_id, cents in settings.buurt_caps.items()})
    for cap in list(rnd.caps):
        cents = wanted_caps.pop((cap.category, cap.buurt_id), None)
        if cents is None:
            rnd.caps.remove(cap)
        else:
            cap.cap_cents = cents
    for (category, buurt_id), cents in sorted(wanted_caps.items(), key=lambda item: str(item[0])):
        rnd.caps.append(RoundCap(category=category, buurt_id=buurt_id, cap_cents=cents))
    wanted_budgets = dict(settings.buurt_budgets)
    for budget in list(rnd.buurt_budgets):
        cents = wanted_budgets.pop(budget.buurt_id, None)
        if cents is None:
            rnd.buurt_budgets.remove(budget)
        else:
            budget.budget_cents = cents
    for buurt_id, cents in sorted(wanted_budgets.items()):
        rnd.buurt_budgets.append(RoundBuurtBudget(buurt_id=buurt_id, budget_cents=cents))


def update_round(actor: User, round_id: int, settings: RoundSettings) -> Round:
    """Change a round's title, kaders and dates; audited as "round.updated" with every change.

    Refused once the round has reached VOTING: the kaders are frozen so residents vote under the rules
    they were shown. The round row is locked so a phase change cannot slip in between check and write.
    While the round has a register (or an import under way), who may vote, the register level and the
    minimum age stay as the register was checked against: clear the register first.
    """
    require_organiser(actor)
    rnd = db.session.execute(
        select(Round).where(Round.id == round_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if rnd is None:
        raise NotFound(_l("This round does not exist."))
    if rnd.kaders_frozen:
        db.session.rollback()
        raise RuleViolation(
            _l("Voting has opened, so the rules of this round are fixed and can no longer change.")
        )
    settings = normalise(settings)
    errors = check_round(settings, _buurt_ids(rnd.wijk_id))
    errors.update(_register_bound_changes(rnd, settings, errors))
    if errors:
        db.session.rollback()
        raise InvalidFields(errors)
    with _constraints_explained():
        changes = _apply(rnd, settings)
        if changes:
            record_event(actor, "round.updated", round_id=rnd.id, subject=_subject(rnd), details=changes)
        db.session.commit()
    return rnd


def _register_bound_changes(rnd: Round, settings: RoundSettings, errors: dict[str, Any]) -> dict[str, Any]:
    changed = [
        name
        for name in REGISTER_BOUND_FIELDS
        if name not in errors and getattr(rnd, name) != getattr(settings, name)
    ]
    if not changed or not register_in_use(rnd.id):
        return {}
    message = _l(
        "The register of this round was checked against this setting. Clear the register first, "
        "then change it and import the register again."
    )
    return dict.fromkeys(changed, message)


def _apply(rnd: Round, settings: RoundSettings) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    stored = settings_of(rnd)
    for name in AMOUNT_FIELDS:
        old_amounts, new_amounts = dict(getattr(stored, name)), dict(getattr(settings, name))
        if old_amounts != new_amounts:
            changes[name] = _plain({"old": _keyed(old_amounts), "new": _keyed(new_amounts)})
    if any(name in changes for name in AMOUNT_FIELDS):
        _set_amounts(rnd, settings)
    for f in fields(RoundSettings):
        if f.name in AMOUNT_FIELDS:
            continue
        old, new = getattr(rnd, f.name), getattr(settings, f.name)
        if f.name in ("min_choices", "max_choices") and new is None:
            continue  # a knapsack ballot does not use them; keep what is stored
        if f.name == "categories":
            old, new = list(old or []), list(new)
        if old != new:
            changes[f.name] = _plain({"old": old, "new": new})
            setattr(rnd, f.name, new)
    return changes


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-friendly copy for the audit log (dates as ISO text, tuples as lists, amounts keyed by text)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = _keyed(value)
        out[key] = value
    return out


def _keyed(amounts: Mapping[Any, int]) -> dict[str, int]:
    return {str(key): cents for key, cents in sorted(amounts.items(), key=lambda item: str(item[0]))}


def _subject(rnd: Round) -> str:
    return f"round {rnd.id}: {rnd.title}"[:120]


@contextmanager
def _constraints_explained() -> Iterator[None]:
    # Every rule is checked above; the database's check constraints are the last line of defence.
    try:
        yield
    except (IntegrityError, DataError):
        db.session.rollback()
        raise RuleViolation(
            _l("These settings do not fit together. Check the amounts, numbers and dates.")
        ) from None
