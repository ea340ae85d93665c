"""The Method of Equal Shares (MES), exact and fast.

This module is deliberately self-contained (standard library only, no other ``app`` imports) so that it can
be checked against `pabutools <https://github.com/COMSOC-Community/pabutools>`_ 1.2.3 on its own.  It
reproduces, project for project and in the same order, these pabutools calls (pabutools' default
lexicographic tie-breaking -- by project name as text -- being expressed through ``order``):

============================  ===============================================================================
``utility="cost"``            ``method_of_equal_shares(instance, profile, sat_class=Cost_Sat)``
``utility="cardinality"``     ``method_of_equal_shares(instance, profile, sat_class=Cardinality_Sat)``
``completion="add1"``         the same with ``voter_budget_increment=1``
``completion="add1-greedy"``  ``completion_by_rule_combination(instance, profile, [method_of_equal_shares,
                              greedy_utilitarian_welfare], [{"sat_class": Cost_Sat, "voter_budget_increment":
                              1}, {"sat_class": Cost_Sat}])``
============================  ===============================================================================

Semantics (as pabutools implements them)
----------------------------------------
* ``n`` is the number of voters, *including* voters whose ballot supports nothing; each voter starts with
  the share ``budget / n``.  With no voters at all MES selects nothing.
* A voter *supports* a project when the project is in the voter's list (cumulative and ordinal ballots are
  passed in as the set of projects they name -- pabutools asks ``project in ballot``).  The utility of a
  supported project is its cost (``utility="cost"``) or 1 (``"cardinality"``).
* A free project (cost 0): with cost utilities it is worth nothing to anyone, so MES never selects it
  (pabutools: ``Cost_Sat`` gives it satisfaction 0, so it has no supporters); with cardinality utilities it
  is selected up front ("round 0") when someone supports it.  Projects nobody supports never take part.
* Each round, for every project whose supporters still hold at least its cost together, the price ``q`` is
  the smallest amount such that supporters paying ``min(their money, q)`` pay the cost exactly, and
  ``rho = q / utility``.  The project with the smallest ``rho`` is bought (equal ``rho``: the one earliest
  in ``order``) and its supporters pay ``min(money, q)``.  The run ends when nothing is affordable.
* ``add1``: run MES with the share ``budget/n``, then ``budget/n + 1``, ``+ 2``, ... (one currency unit more
  per voter each time).  Stop at the first run whose outcome costs more than the budget and return the
  *previous* outcome, or at the first run whose outcome is exhaustive (no project that took part in MES and
  was not selected would still fit in the budget next to it) and return *that* outcome.  The shares are
  walked one by one exactly as pabutools does; a run is only cut short once its outcome is sure to fit and
  to be non-exhaustive (so that pabutools would go on to the next share anyway, whatever the rest of it).
* ``add1-greedy``: the ``add1`` outcome, then every project not selected (free and unsupported ones too), by
  decreasing ``greedy_scores`` -- pabutools' ``Cost_Sat`` greedy orders by satisfaction per unit of cost,
  which is the number of supporters for a project with a cost and 0 for a free one; the default scores are
  the numbers of supporters -- ties in ``order``, is added when its cost fits in what is left.

Implementation
--------------
Every decision is exact.  Money is held as Python ``int`` numerators over a common unit that is refined
whenever a price needs it.  Identical ballots (restricted to the projects taking part) form one group with a
multiplicity; voters with the same money form a *level*.  A project's price comes from a histogram ``level
-> number of its supporters there``, sorted by a float image of the money (floats only order levels and
guess where the poor ones end; the result is confirmed with exact arithmetic, falling back to an exact sort
when two levels are too close to tell apart).  ``rho`` never decreases during a run, so projects wait in a
heap keyed by a float lower bound of their ``rho``; only projects that reach the top while out of date are
repriced, and only the one about to be bought (or one within float reach of it) gets an exact price.

Explanations
------------
``MesResult.explanations[i]`` is a JSON-serialisable ``dict`` for *every* project ``i``.  Counts are ints.
Money values are exact: an ``int`` when the amount is a whole number of currency units (the unit of
``costs``/``budget``), otherwise the string ``"numerator/denominator"`` (``fractions.Fraction(s)`` parses
it back).  Keys by ``code``:

``"mes_selected"``
    ``phase="equal_shares"``, ``round`` (1 = first bought; 0 = free project taken up front), ``cost``,
    ``supporters``, ``price_per_supporter`` (``q``, the most any supporter paid), ``rho`` (``q`` per unit of
    utility), ``paid_in_full`` (supporters who paid ``q``), ``paid_all_left`` (supporters who had less than
    ``q`` and paid everything they had).
``"greedy_fill"``
    Picked by the greedy completion of ``add1-greedy``: ``phase="completion"``, ``greedy_score``,
    ``budget_left`` (of the whole budget, after it), plus the ``mes_not_affordable`` keys below (why MES
    itself did not buy it).
``"mes_not_affordable"``
    Not selected.  ``cost``, ``supporters``, ``supporters_money_left`` (their money in total at the end of
    the MES run that gave the outcome, before any completion), ``shortfall`` (``cost`` minus that),
    ``max_affordable_cost`` (= ``supporters_money_left``: the highest cost at which it would have been
    affordable at that moment), ``needed_supporters`` (how many more supporters, each bringing a full share
    ``voter_budget``, would have covered the shortfall; ``None`` when the share is 0).
``"mes_no_support"``
    Not selected and nobody supports it; the same keys as ``mes_not_affordable``.
``"mes_zero_utility"``
    A free project with cost utilities (see above): ``cost`` (0) and ``supporters``.
"""

from __future__ import annotations

import gc
import heapq
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import repeat
from math import gcd, inf, isfinite, nextafter
from operator import itemgetter, mul
from typing import Any, Literal, cast

__all__ = ["MesResult", "MesTrace", "equal_shares", "equal_shares_trace", "money_json"]

Utility = Literal["cost", "cardinality"]
Completion = Literal["none", "add1", "add1-greedy"]

_TOO_LARGE = 10**250
_LIGHT = 16  # MES groups of at most this many voters are counted voter by voter (in C)
_UTILITIES: frozenset[str] = frozenset({"cost", "cardinality"})
_COMPLETIONS: frozenset[str] = frozenset({"none", "add1", "add1-greedy"})


@dataclass(frozen=True)
class MesResult:
    """Outcome of :func:`equal_shares`.

    ``selected``: project indices in the order they were selected (free projects taken up front first, then
    the MES rounds, then the greedy completion).  ``explanations``: see the module docstring.
    ``voter_budget``: the per-voter share of the MES run that gave the outcome (``budget/n`` plus
    ``increments``; 0 without voters).  ``rounds``: number of projects bought in MES rounds (free projects
    not counted).  ``increments``: how many times one currency unit was added to the share (0 without
    completion).  ``runs``: how many MES runs were started (``add1`` cuts a run short once its outcome is
    sure to go over the budget, or sure to fit and to leave room, and may have to redo the one before the
    last in full).
    ``payments``: for each project bought by MES, the total its supporters paid (always its cost).
    ``voter_spent``: for each entry of the ``voters`` argument, what *one* voter of that group spent.
    ``num_voters``: ``n``, the number of voters the budget was shared between.
    """

    selected: list[int]
    explanations: dict[int, dict[str, object]]
    voter_budget: Fraction
    rounds: int
    increments: int
    runs: int
    payments: dict[int, Fraction] = field(default_factory=dict)
    voter_spent: list[Fraction] = field(default_factory=list)
    num_voters: int = 0


@dataclass(frozen=True)
class MesTrace:
    """Debug view of the MES run behind a result: per project bought by MES (round >= 1), the amount that
    *one* voter of each ``voters`` entry paid for it (entries that paid nothing are left out)."""

    result: MesResult
    payments: dict[int, dict[int, Fraction]]


def money_json(value: Fraction | int) -> int | str:
    """Exact JSON-serialisable money: an ``int`` when whole, otherwise ``"numerator/denominator"``."""
    if isinstance(value, int):
        return value
    if value.denominator == 1:
        return value.numerator
    return f"{value.numerator}/{value.denominator}"


# --------------------------------------------------------------------------------------------------------
# Preparation shared by all runs (add1 runs MES many times on the same input)


@dataclass
class _Prepared:
    costs: list[Fraction]
    budget: Fraction
    num_projects: int
    n: int
    supporters: list[int]  # per project: number of voters naming it
    candidates: list[int]  # projects taking part in MES rounds: supported and cost > 0
    free: list[int]  # supported projects of cost 0, in `order` order
    position: list[int]  # project -> position in `order`
    group_mult: list[int]  # per MES group (identical candidate sets merged)
    group_projects: list[list[int]]  # candidate projects of each MES group
    light_groups: list[list[int]]  # per project: its small MES groups, each repeated once per voter
    heavy_groups: list[list[int]]  # per project: its MES groups of more than _LIGHT voters
    members: list[list[int]]  # per project: all its MES groups, once each
    input_group: list[int]  # per `voters` entry: its MES group, or -1 (no candidate project)
    cost_utility: bool
    denominator: int  # lcm of the denominators of the costs and of budget / n
    cost_base: list[int] = field(default_factory=list)  # candidate costs as numerators over `denominator`
    cost_approx: list[float] = field(default_factory=list)  # candidate costs as floats
    # Per project, an itemgetter fetching the levels of its light groups in one C call (made on first use).
    getters: dict[int, Callable[[list[int]], tuple[int, ...]]] = field(default_factory=dict)


@dataclass
class _Run:
    share: Fraction  # per-voter share of this run
    selected: list[int]  # MES rounds only (free projects excluded)
    infeasible: bool
    aborted: bool  # stopped early: its outcome was sure to fit the budget and not to be exhaustive
    total_cost: Fraction
    prices: dict[int, tuple[int, int]]  # project -> q as (numerator, denominator)
    full_payers: dict[int, int]  # project -> number of supporters paying q
    partial_payers: dict[int, int]
    # Final state: one voter of MES group g holds levels.exact(group_level[g]) / levels.unit.
    group_level: list[int]
    levels: _Levels
    trace: dict[int, dict[int, Fraction]] | None  # project -> MES group -> per-voter payment


def _exact(value: object, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise TypeError(f"{what} must be an int or a Fraction, not {type(value).__name__}")
    return Fraction(value)


def _lcm(a: int, b: int) -> int:
    return a // gcd(a, b) * b


def _prepare(
    costs: Sequence[int | Fraction],
    budget: int | Fraction,
    voters: Sequence[tuple[int, Sequence[Hashable]]],
    utility: str,
    order: Sequence[int],
    project_keys: Sequence[Hashable] | None,
) -> _Prepared:
    if utility not in _UTILITIES:
        raise ValueError(f"utility must be one of {sorted(_UTILITIES)}, not {utility!r}")
    exact_costs = [_exact(c, f"cost of project {i}") for i, c in enumerate(costs)]
    if any(c < 0 for c in exact_costs):
        raise ValueError("costs must not be negative")
    exact_budget = _exact(budget, "budget")
    if exact_budget < 0:
        raise ValueError("budget must not be negative")
    if exact_budget >= _TOO_LARGE or any(c >= _TOO_LARGE for c in exact_costs):
        # Far beyond any real budget; it keeps the floats that order money levels finite.
        raise ValueError("budget and costs must be below 10**250")
    num_projects = len(exact_costs)
    position = [-1] * num_projects
    for pos, p in enumerate(order):
        if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p < num_projects:
            raise ValueError(f"order names an unknown project index: {p!r}")
        if position[p] != -1:
            raise ValueError(f"order names project {p} twice")
        position[p] = pos
    if len(order) != num_projects:
        raise ValueError("order must name every project exactly once")

    # Group identical supported sets (the caller's groups may still repeat a set, or list a project twice).
    # The bulk of the work is done by map()/dict() in C: this runs on 70,000-voter elections.
    mults = list(map(itemgetter(0), voters))
    if mults and (not set(map(type, mults)) <= {int} or min(mults) < 0):
        raise ValueError("voter multiplicities must be non-negative ints")
    ballots = map(itemgetter(1), voters)
    if project_keys is not None:
        # Ballots name projects by key: each becomes a set of indices through map(), in C.
        index = dict(zip(project_keys, range(num_projects), strict=False))
        if len(index) != num_projects:
            raise ValueError("project_keys must name every project once")
        try:
            keys = list(map(frozenset, map(map, repeat(index.__getitem__), ballots)))
        except KeyError as missing:
            raise ValueError(f"a ballot names an unknown project: {missing}") from None
    else:
        keys = list(map(frozenset, ballots))
    n = sum(mults)
    raw: dict[frozenset[int], int] = dict(zip(keys, mults, strict=True))
    if len(raw) != len(keys) or 0 in raw.values():
        raw = {}
        for key, mult in zip(keys, mults, strict=True):
            if mult:
                raw[key] = raw.get(key, 0) + mult
    named = frozenset[int]().union(*raw) if raw and project_keys is None else frozenset[int]()
    if named and (not set(map(type, named)) <= {int} or min(named) < 0 or max(named) >= num_projects):
        raise ValueError("a ballot names an unknown project index")

    # Free projects never take part in the MES rounds (see `free` below); the rest of a ballot does.
    zero_cost = frozenset(p for p in range(num_projects) if exact_costs[p] == 0)
    group_mult: list[int]
    group_projects: list[list[int]]
    raw_group: dict[frozenset[int], int]
    if not zero_cost:
        group_mult = list(raw.values())
        group_projects = list(map(list, raw))
        raw_group = dict(zip(raw, range(len(raw)), strict=True))
    else:
        group_index: dict[frozenset[int], int] = {}
        raw_group = {}
        group_mult = []
        group_projects = []
        for key, mult in raw.items():
            mes_key = key - zero_cost
            if not mes_key:
                continue
            g = group_index.get(mes_key)
            if g is None:
                g = group_index[mes_key] = len(group_mult)
                group_mult.append(mult)
                group_projects.append(list(mes_key))
            else:
                group_mult[g] += mult
            raw_group[key] = g
    # Per project, its supporting MES groups.  A group of up to _LIGHT voters is listed once per voter in
    # `light`, so that Counter() counts voters in C; larger groups are listed once in `heavy`.
    singles: list[list[int]] = [[] for _ in range(num_projects)]
    smalls: list[list[int]] = [[] for _ in range(num_projects)]
    heavy_groups: list[list[int]] = [[] for _ in range(num_projects)]
    for g, projects in enumerate(group_projects):
        mult = group_mult[g]
        lists = singles if mult == 1 else smalls if mult <= _LIGHT else heavy_groups
        for p in projects:
            lists[p].append(g)
    light_groups = [
        singles[p] + [g for g in smalls[p] for _ in range(group_mult[g])] if smalls[p] else singles[p]
        for p in range(num_projects)
    ]
    members = [singles[p] + smalls[p] + heavy_groups[p] for p in range(num_projects)]
    supporters = [
        len(light_groups[p]) + sum(map(group_mult.__getitem__, heavy_groups[p])) for p in range(num_projects)
    ]
    if zero_cost:
        for key, mult in raw.items():
            for p in key & zero_cost:
                supporters[p] += mult
    candidates = [p for p in range(num_projects) if supporters[p] > 0 and exact_costs[p] > 0]
    # With cost utilities a free project is worth nothing to anyone, so MES never looks at it (pabutools:
    # Cost_Sat gives it satisfaction 0, so it has no supporters); with cardinality utilities it is bought
    # up front when someone supports it.
    free = (
        sorted((p for p in zero_cost if supporters[p] > 0), key=position.__getitem__)
        if utility == "cardinality"
        else []
    )
    input_group = list(map(raw_group.get, keys, repeat(-1)))

    denominator = exact_budget.denominator * n if n else 1
    for p in candidates:
        denominator = _lcm(denominator, exact_costs[p].denominator)
    cost_base = [0] * num_projects
    cost_approx = [0.0] * num_projects
    for p in candidates:
        scaled = exact_costs[p] * denominator
        assert scaled.denominator == 1
        cost_base[p] = scaled.numerator
        cost_approx[p] = float(exact_costs[p])
    return _Prepared(
        cost_base=cost_base,
        cost_approx=cost_approx,
        costs=exact_costs,
        budget=exact_budget,
        num_projects=num_projects,
        n=n,
        supporters=supporters,
        candidates=candidates,
        free=free,
        position=position,
        group_mult=group_mult,
        group_projects=group_projects,
        light_groups=light_groups,
        heavy_groups=heavy_groups,
        members=members,
        input_group=input_group,
        cost_utility=utility == "cost",
        denominator=denominator,
    )


# --------------------------------------------------------------------------------------------------------
# One MES run


class _Levels:
    """Money levels of a run: every voter is at one level; all voters at a level hold the same money.

    The exact money at ``level`` is ``num[level] * scale[epoch[level]] / unit``: ``unit`` grows (a new
    epoch) whenever a price needs a finer unit, and a numerator is kept in the unit of the epoch it was
    written in, so a finer unit costs O(epochs) instead of rescaling every level.  ``approx[level]`` is the
    money as a float, used only to sort levels and to guess where a price scan stops; it is within
    ``tolerance`` of the exact value, so levels whose floats differ by more than ``tolerance`` are in the
    right order.  ``population[level]`` counts the voters at a level.  Level 0 is "no money left"; it is
    never part of a histogram.
    """

    __slots__ = ("approx", "epoch", "next_id", "num", "population", "scale", "tolerance", "unit")

    def __init__(self, unit: int, share: int, voters: int, rounds: int) -> None:
        self.unit = unit
        self.num: dict[int, int] = {0: 0, 1: share}
        self.epoch: dict[int, int] = {0: 0, 1: 0}
        self.scale: list[int] = [1]
        self.approx: dict[int, float] = {0: 0.0, 1: share / unit}
        self.population: dict[int, int] = {1: voters}
        self.next_id = 2
        # A level's float is the share's float minus one correctly rounded price per purchase its voters paid
        # in full (never more than the share), each subtraction rounded: its error is at most
        # (purchases + 1) * ulp(share) <= (rounds + 1) * 2**-52 * share.  Twice that, to be safe.
        self.tolerance = (rounds + 1) * 2.0**-51 * max(share / unit, 1e-300)

    def exact(self, level: int) -> int:
        """The money at ``level`` as a numerator over the current ``unit``."""
        return self.num[level] * self.scale[self.epoch[level]]

    def total(self, levels: list[int], hist: dict[int, int]) -> int:
        """Exact money of the voters counted in ``hist`` at ``levels`` (numerator over ``unit``), in C."""
        nums = map(self.num.__getitem__, levels)
        scales = map(self.scale.__getitem__, map(self.epoch.__getitem__, levels))
        return sum(map(mul, map(mul, nums, scales), map(hist.__getitem__, levels)))

    def refine(self, factor: int) -> None:
        """Make the unit ``factor`` times finer (a new epoch)."""
        self.unit *= factor
        self.scale = [s * factor for s in self.scale]
        self.scale.append(1)


class _Ratio:
    """An exact positive rational ``num / den`` (a project's rho) that compares by cross-multiplication,
    cheaper than a ``Fraction``, which normalises."""

    __slots__ = ("den", "num")

    def __init__(self, num: int, den: int) -> None:
        self.num = num
        self.den = den

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ratio) and self.num * other.den == other.num * self.den

    def __lt__(self, other: _Ratio) -> bool:
        return self.num * other.den < other.num * self.den

    def __hash__(self) -> int:
        return hash(Fraction(self.num, self.den))


class _Scan:
    """Where the float scan of :func:`_scan` stopped: ``order`` (the levels, poorest first by float), ``poor``
    (how many of them pay all they have), ``rest`` (voters in the others) and ``low``, a float lower bound of
    the price."""

    __slots__ = ("low", "order", "poor", "rest")

    def __init__(self, order: list[int], poor: int, rest: int, low: float) -> None:
        self.order = order
        self.poor = poor
        self.rest = rest
        self.low = low


def _scan(hist: dict[int, int], levels: _Levels, cost_approx: float) -> _Scan:
    """Sort the levels by float money and find, with floats, where the poor ones end.

    The price q is the smallest q with ``sum(count * min(money, q)) == cost``.  For *any* set P of levels,
    ``q >= (cost - money(P)) / (voters outside P)`` (everyone outside P pays at most q), so the float
    estimate, minus its error bound, is a true lower bound whether or not the float boundary is exact.
    """
    approx = levels.approx
    order = sorted(hist, key=approx.__getitem__)
    voters = rest = sum(hist.values())
    left = cost_approx
    poor = len(order)
    for i, (money, count) in enumerate(
        zip(map(approx.__getitem__, order), map(hist.__getitem__, order), strict=False)
    ):
        if left <= money * rest:
            poor = i
            break
        left -= money * count
        rest -= count
    if not rest:
        return _Scan(order, poor, rest, -inf)
    poor_voters = voters - rest
    # Each poor voter's float is within `tolerance`; each product and subtraction rounds by at most 2**-52
    # of the running amount (at most cost + money(P)), or by a subnormal step.  Four times that, to be safe.
    error = levels.tolerance * poor_voters + (poor + 4) * (2.0**-50 * (2.0 * cost_approx - left) + 1e-300)
    return _Scan(order, poor, rest, (left - error) / rest)


def _confirm(scan: _Scan, hist: dict[int, int], levels: _Levels, cost: int) -> tuple[int, int] | None:
    """The exact price ``(X, M)``, ``q = X / M`` (in the current unit), from a float scan of the same
    ``hist``; ``None`` when the supporters hold less than ``cost``.

    The boundary is confirmed exactly: the last poor level must not afford the price of the levels before it
    (so ``q`` exceeds its money), the first rich level must, and both must be more than the float tolerance
    away from their neighbours (so every earlier level has less money and every later one more; the order
    among the poor ones does not matter).  Otherwise: an exact scan.
    """
    order = scan.order
    i = scan.poor
    remaining = scan.rest
    left = cost - levels.total(order[:i], hist)
    size = len(order)
    if i == size:
        if left > 0:
            return None  # exact: all their money is less than the cost
    else:
        approx = levels.approx
        tolerance = levels.tolerance
        here = approx[order[i]]
        if (
            left <= levels.exact(order[i]) * remaining
            and (i + 1 == size or approx[order[i + 1]] - here > tolerance)
            and (
                i == 0
                or (
                    here - approx[order[i - 1]] > tolerance
                    and (i == 1 or approx[order[i - 1]] - approx[order[i - 2]] > tolerance)
                    and left > levels.exact(order[i - 1]) * remaining
                )
            )
        ):
            return left, remaining
    return _exact_price(hist, levels, cost)


def _price(hist: dict[int, int], levels: _Levels, cost: int, cost_approx: float) -> tuple[int, int] | None:
    """Smallest ``q`` with ``sum(count * min(money, q)) == cost`` over the levels in ``hist``, as ``(X, M)``
    meaning ``q = X / M`` (in the current unit); ``None`` when the supporters hold less than ``cost``."""
    return _confirm(_scan(hist, levels, cost_approx), hist, levels, cost)


def _below(value: float, ratio: _Ratio) -> bool:
    """``value < ratio``, exactly."""
    a, b = value.as_integer_ratio()
    return a * ratio.den < ratio.num * b


def _equal(value: float, ratio: _Ratio) -> bool:
    """``value == ratio``, exactly."""
    a, b = value.as_integer_ratio()
    return a * ratio.den == ratio.num * b


def _exact_price(hist: dict[int, int], levels: _Levels, cost: int) -> tuple[int, int] | None:
    """:func:`_price` the slow way: exact sort, exact scan."""
    remaining = sum(hist.values())
    left = cost
    for level in sorted(hist, key=levels.exact):
        money = levels.exact(level)
        if left <= money * remaining:
            return left, remaining
        count = hist[level]
        left -= money * count
        remaining -= count
    return None


def _getter(indices: list[int]) -> Callable[[list[int]], tuple[int, ...]]:
    """``lambda values: tuple(values[i] for i in indices)``, in C (``itemgetter`` returns a bare item, not a
    tuple, for a single index)."""
    if len(indices) > 1:
        return cast("Callable[[list[int]], tuple[int, ...]]", itemgetter(*indices))
    return lambda values: tuple(values[i] for i in indices)


def _run_mes(
    prep: _Prepared, share: Fraction, limit: Fraction | None, trace: bool, abortable: bool = False
) -> _Run:
    """Run MES with ``share`` per voter.  If ``limit`` is given, stop as soon as the outcome costs more
    (``infeasible``).  If ``abortable``, also stop (``aborted``) as soon as the outcome is sure to cost at most
    ``limit`` and to leave out a project that would still fit: then ``add1`` moves on to the next share
    whatever the rest of the outcome is.  Sure because the projects still in the race cost ``live_cost``
    together at most, and one found unaffordable (never bought later: money only goes down) costs
    ``dead_min``.
    """
    share_scaled = share * prep.denominator  # an amount of money m is an int m * unit
    assert share_scaled.denominator == 1
    levels = _Levels(prep.denominator, share_scaled.numerator, prep.n, len(prep.candidates))
    num = levels.num
    epoch = levels.epoch
    approx = levels.approx
    population = levels.population
    group_level = [1] * len(prep.group_mult)  # level of each MES group
    group_mult = prep.group_mult
    # Per project, its supporting groups; groups whose voters ran out of money are pruned now and then.
    # (Copies of the outer lists only: pruning replaces a project's list, it never changes one in place.)
    singles = list(prep.light_groups)
    multis = list(prep.heavy_groups)
    num_projects = prep.num_projects
    candidates = prep.candidates
    # Costs as numerators over prep.denominator; over the run's unit they are `finer` times that.
    cost_base = prep.cost_base
    cost_approx = prep.cost_approx
    finer = 1
    # hist[p]: level -> number of p's supporters at that level, as of the last computation of p's price.
    hist: list[dict[int, int]] = [{} for _ in range(num_projects)]
    for p in candidates:
        hist[p] = {1: prep.supporters[p]}
    rounds = 0  # purchases so far
    live = bytearray(num_projects)  # still competing (not bought, not found unaffordable)
    position = prep.position
    cost_utility = prep.cost_utility

    getters = dict(prep.getters)  # plus this run's, for pruned lists

    def refresh(p: int) -> None:
        getter = getters.get(p)
        if getter is None:
            # singles[p] is still prep's list (pruning also makes a getter): share it with later runs.
            getter = getters[p] = prep.getters[p] = _getter(singles[p])
        counted = Counter(getter(group_level))  # counted in C
        if counted.pop(0, 0) * 2 > len(singles[p]):
            singles[p] = [g for g in singles[p] if group_level[g]]
            getters[p] = _getter(singles[p])
        for g in multis[p]:
            counted[group_level[g]] += group_mult[g]
        if counted.pop(0, 0) * 4 > len(multis[p]):
            multis[p] = [g for g in multis[p] if group_level[g]]
        hist[p] = counted

    # Heap entries (key, position, project, round, rho, X, Y).  `key` is a float lower bound of the project's
    # rho as computed after `round` purchases.  An *exact* entry also has rho as a _Ratio and the price
    # q = X / Y (in money, whatever the unit); its key is rho rounded down.  A *bound* entry (rho None) has
    # only the bound, from a float scan kept in `scans` until the project reaches the top of the heap.  rho
    # never decreases during a run, so every key stays a lower bound.
    heap: list[tuple[float, int, int, int, _Ratio | None, int, int]] = []
    scans: dict[int, _Scan] = {}

    def exact_entry(p: int, found: tuple[int, int]) -> tuple[float, int, int, int, _Ratio | None, int, int]:
        x, m = found
        per = m * cost_base[p] * finer if cost_utility else m * levels.unit
        rho = _Ratio(x, per)
        key = x / per
        if not _below(key, rho) and not _equal(key, rho):  # rounded up: step down to a lower bound
            key = nextafter(key, -inf)
        return (key, position[p], p, rounds, rho, x, m * levels.unit)

    def resolve(e: tuple[float, int, int, int, _Ratio | None, int, int]) -> None:
        """Replace a stale or bound entry (already popped) by a current bound, or by an exact entry."""
        p = e[2]
        found: tuple[int, int] | None
        if e[3] == rounds:  # a current bound: confirm it exactly
            found = _confirm(scans.pop(p), hist[p], levels, cost_base[p] * finer)
        else:  # something was bought since it was priced: its price may have grown (never shrunk)
            refresh(p)
            scan = _scan(hist[p], levels, cost_approx[p])
            if scan.poor < len(scan.order):
                scans[p] = scan
                if cost_utility:
                    low = scan.low / cost_approx[p] if cost_approx[p] else -inf
                else:
                    low = scan.low
                if not isfinite(low):
                    low = -inf  # useless but still a lower bound
                heapq.heappush(heap, (low * (1.0 - 2.0**-48), position[p], p, rounds, None, 0, 0))
                return
            found = _confirm(scan, hist[p], levels, cost_base[p] * finer)
        if found is None:
            live[p] = 0  # unaffordable now, hence for the rest of the run
            watch[0] -= cost_base[p]
            if watch[1] < 0 or cost_base[p] < watch[1]:
                watch[1] = cost_base[p]
        else:
            heapq.heappush(heap, exact_entry(p, found))

    # Everybody holds the share: a project is affordable iff share * supporters >= cost, and then each of its
    # supporters pays cost / supporters.
    share_num = share_scaled.numerator
    watch = [0, -1]  # live_cost, dead_min (-1: none yet), over prep.denominator
    for p in candidates:
        m = prep.supporters[p]
        if share_num * m >= cost_base[p]:
            live[p] = 1
            watch[0] += cost_base[p]
            heap.append(exact_entry(p, (cost_base[p], m)))
        elif watch[1] < 0 or cost_base[p] < watch[1]:
            watch[1] = cost_base[p]
    heapq.heapify(heap)

    selected: list[int] = []
    prices: dict[int, tuple[int, int]] = {}
    full_payers: dict[int, int] = {}
    partial_payers: dict[int, int] = {}
    payments_trace: dict[int, dict[int, Fraction]] | None = {} if trace else None
    total = 0  # cost of the purchases, over prep.denominator
    limit_base = None if limit is None else (limit * prep.denominator).numerator
    infeasible = aborted = False
    while heap:
        if (
            abortable
            and limit_base is not None
            and watch[1] >= 0
            and total + watch[0] + watch[1] <= limit_base
        ):
            aborted = True
            break
        top = heapq.heappop(heap)
        p = top[2]
        if not live[p]:
            continue
        rho = top[4]
        if top[3] != rounds or rho is None:
            resolve(top)
            continue
        # Exact and current: p wins unless another entry's lower bound leaves room for a smaller rho, or for
        # an equal rho earlier in `order`.  Resolve such entries until none is left (or one beats p).
        beaten = False
        aside: list[tuple[float, int, int, int, _Ratio | None, int, int]] = []
        while heap:
            other = heap[0]
            if not live[other[2]]:
                heapq.heappop(heap)
                continue
            if not _below(other[0], rho) and (other[1] > top[1] or not _equal(other[0], rho)):
                break  # every other key is at least rho (and keys equal to it come later in `order`)
            other = heapq.heappop(heap)
            other_rho = other[4]
            if other[3] != rounds or other_rho is None:
                resolve(other)
                continue
            if other_rho < rho or (other_rho == rho and other[1] < top[1]):
                beaten = True
                heapq.heappush(heap, other)
                break
            aside.append(other)
        for other in aside:
            heapq.heappush(heap, other)
        if beaten:
            heapq.heappush(heap, top)
            continue
        # p has the smallest (rho, position): buy it at price q = X / Y, made an integer in a finer unit.
        x = top[5] * levels.unit
        den = top[6]
        common = gcd(x, den)
        factor = den // common
        q = x // common
        if factor != 1:
            levels.refine(factor)
            finer *= factor
        unit = levels.unit
        scale = levels.scale
        now = len(scale) - 1
        live[p] = 0
        watch[0] -= cost_base[p]
        rounds += 1
        selected.append(p)
        prices[p] = (q, unit)
        total += cost_base[p]
        q_approx = q / unit
        full = partial = 0
        transition: dict[int, int] = {0: 0}
        paid_at: dict[int, Fraction] = {}
        for level, count in hist[p].items():
            money = num[level] * scale[epoch[level]]
            if payments_trace is not None:
                paid_at[level] = Fraction(min(money, q), unit)
            if money > q:
                full += count
                if population[level] == count:  # everybody at this level pays: the level itself moves
                    num[level] = money - q
                    epoch[level] = now
                    approx[level] -= q_approx
                    transition[level] = level
                else:
                    population[level] -= count
                    new = levels.next_id
                    levels.next_id += 1
                    num[new] = money - q
                    epoch[new] = now
                    approx[new] = approx[level] - q_approx
                    population[new] = count
                    transition[level] = new
            else:
                if money == q:
                    full += count
                else:
                    partial += count
                transition[level] = 0
                if population[level] == count:
                    del population[level], num[level], epoch[level], approx[level]
                else:
                    population[level] -= count
        full_payers[p] = full
        partial_payers[p] = partial
        hist[p] = {}
        if payments_trace is not None:
            payments_trace[p] = {g: paid_at[group_level[g]] for g in prep.members[p] if group_level[g]}
        for g in prep.members[p]:  # every level of p's groups is in `transition` (0 included)
            group_level[g] = transition[group_level[g]]
        if limit_base is not None and total > limit_base:
            infeasible = True
            break
    return _Run(
        share=share,
        selected=selected,
        infeasible=infeasible,
        aborted=aborted,
        total_cost=Fraction(total, prep.denominator),
        prices=prices,
        full_payers=full_payers,
        partial_payers=partial_payers,
        group_level=group_level,
        levels=levels,
        trace=payments_trace,
    )


# --------------------------------------------------------------------------------------------------------
# Public entry points


def _exhaustive(prep: _Prepared, run: _Run) -> bool:
    """pabutools' ``is_exhaustive(outcome, available_projects=<MES projects>)``: no MES project left out
    would still fit next to the outcome."""
    chosen = set(run.selected)
    room = prep.budget - run.total_cost
    return all(p in chosen or prep.costs[p] > room for p in prep.candidates)


def _compute(
    *args: Any,
) -> tuple[MesResult, dict[int, dict[int, Fraction]]]:
    """:func:`_count` with the cyclic garbage collector paused: the count allocates many small containers
    (hardly any in a cycle), and collections triggered by them would each walk every object of the
    caller's process, easily doubling the run time on a 70,000-voter election."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _count(*args)
    finally:
        if enabled:
            gc.enable()


def _count(
    costs: Sequence[int | Fraction],
    budget: int | Fraction,
    voters: Sequence[tuple[int, Sequence[Hashable]]],
    utility: str,
    order: Sequence[int],
    completion: str,
    greedy_scores: Sequence[int] | None,
    trace: bool,
    project_keys: Sequence[Hashable] | None,
) -> tuple[MesResult, dict[int, dict[int, Fraction]]]:
    if completion not in _COMPLETIONS:
        raise ValueError(f"completion must be one of {sorted(_COMPLETIONS)}, not {completion!r}")
    prep = _prepare(costs, budget, voters, utility, order, project_keys)
    num_projects = prep.num_projects
    if greedy_scores is not None and len(greedy_scores) != num_projects:
        raise ValueError("greedy_scores must have one entry per project")

    runs = 0
    increments = 0
    run: _Run | None = None
    if prep.n:
        base = prep.budget / prep.n
        if completion == "none":
            run = _run_mes(prep, base, None, trace)
            runs = 1
        else:
            previous: _Run | None = None
            while True:
                current = _run_mes(prep, base + increments, prep.budget, trace, abortable=True)
                runs += 1
                if current.infeasible:
                    # pabutools returns the previous outcome; the very first run always fits the budget.
                    assert previous is not None
                    if previous.aborted:  # we need all of it after all
                        previous = _run_mes(prep, base + increments - 1, None, trace)
                        runs += 1
                    run = previous
                    increments -= 1
                    break
                if not current.aborted and _exhaustive(prep, current):
                    run = current
                    break
                previous = current
                increments += 1

    selected: list[int] = []
    explanations: dict[int, dict[str, object]] = {}
    payments: dict[int, Fraction] = {}
    voter_spent: list[Fraction] = [Fraction(0)] * len(prep.input_group)
    share = Fraction(0)
    money_left = [Fraction(0)] * num_projects
    if run is not None:
        share = run.share
        for p in prep.free:
            selected.append(p)
            explanations[p] = {
                "code": "mes_selected",
                "phase": "equal_shares",
                "round": 0,
                "cost": 0,
                "supporters": prep.supporters[p],
                "price_per_supporter": 0,
                "rho": 0,
                "paid_in_full": prep.supporters[p],
                "paid_all_left": 0,
            }
        unit = run.levels.unit
        # Per project, the money its supporters hold at the end; per voter, what they spent.
        group_level = run.group_level
        values = {level: run.levels.exact(level) for level in set(group_level)}
        money_of_group = list(map(values.__getitem__, group_level))
        bought = set(run.selected)
        for p in prep.candidates:
            if p not in bought:
                multis = prep.heavy_groups[p]
                held = sum(map(money_of_group.__getitem__, prep.light_groups[p])) + sum(
                    map(
                        mul, map(money_of_group.__getitem__, multis), map(prep.group_mult.__getitem__, multis)
                    )
                )
                money_left[p] = Fraction(held, unit)
        # What one voter of each `voters` entry spent, through its MES group's level (-1: no MES group).
        share_scaled = (share * unit).numerator
        spent_at_level = {level: Fraction(share_scaled - values[level], unit) for level in set(group_level)}
        spent_at_level[-1] = Fraction(0)
        levels = [*group_level, -1]
        voter_spent = list(map(spent_at_level.__getitem__, map(levels.__getitem__, prep.input_group)))
        for rnd, p in enumerate(run.selected, start=1):
            selected.append(p)
            payments[p] = prep.costs[p]
            q = Fraction(*run.prices[p])
            explanations[p] = {
                "code": "mes_selected",
                "phase": "equal_shares",
                "round": rnd,
                "cost": money_json(prep.costs[p]),
                "supporters": prep.supporters[p],
                "price_per_supporter": money_json(q),
                "rho": money_json(q / prep.costs[p] if prep.cost_utility else q),
                "paid_in_full": run.full_payers[p],
                "paid_all_left": run.partial_payers[p],
            }
    chosen = set(selected)
    for p in range(num_projects):
        if p in chosen:
            continue
        left = money_left[p]
        shortfall = prep.costs[p] - left
        needed: int | None = None
        if share > 0:
            needed = max(0, -((-shortfall) // share))
        if prep.supporters[p] and prep.costs[p] == 0:
            explanations[p] = {"code": "mes_zero_utility", "cost": 0, "supporters": prep.supporters[p]}
            continue
        explanations[p] = {
            "code": "mes_not_affordable" if prep.supporters[p] else "mes_no_support",
            "cost": money_json(prep.costs[p]),
            "supporters": prep.supporters[p],
            "supporters_money_left": money_json(left),
            "shortfall": money_json(shortfall),
            "max_affordable_cost": money_json(left),
            "needed_supporters": needed,
        }

    if completion == "add1-greedy":
        scores = list(greedy_scores) if greedy_scores is not None else prep.supporters
        room = prep.budget - sum((prep.costs[p] for p in selected), Fraction(0))
        rest = [p for p in range(num_projects) if p not in chosen]
        # pabutools' greedy with Cost_Sat: by decreasing satisfaction per unit of cost, which is the number
        # of supporters (the score) for a project that costs something and 0 for a free one (worth nothing
        # under cost utilities); ties in tie-breaking order.
        rest.sort(key=lambda p: (-scores[p] if prep.costs[p] else 0, prep.position[p]))
        for p in rest:
            if prep.costs[p] <= room:
                room -= prep.costs[p]
                selected.append(p)
                info = explanations[p]
                info["code"] = "greedy_fill"
                info["phase"] = "completion"
                info["greedy_score"] = scores[p]
                info["budget_left"] = money_json(room)

    result = MesResult(
        selected=selected,
        explanations=explanations,
        voter_budget=share,
        rounds=len(run.selected) if run is not None else 0,
        increments=increments,
        runs=runs,
        payments=payments,
        voter_spent=voter_spent,
        num_voters=prep.n,
    )
    per_input: dict[int, dict[int, Fraction]] = {}
    if trace and run is not None and run.trace is not None:
        for p, paid in run.trace.items():
            per_input[p] = {
                g_in: paid[g] for g_in, g in enumerate(prep.input_group) if g >= 0 and g in paid and paid[g]
            }
    return result, per_input


def equal_shares(
    costs: Sequence[int | Fraction],
    budget: int | Fraction,
    voters: Sequence[tuple[int, Sequence[Hashable]]],
    *,
    utility: Literal["cost", "cardinality"],
    order: Sequence[int],
    completion: Literal["none", "add1", "add1-greedy"] = "none",
    greedy_scores: Sequence[int] | None = None,
    project_keys: Sequence[Hashable] | None = None,
) -> MesResult:
    """Count the Method of Equal Shares exactly as pabutools 1.2.3 does (see the module docstring).

    ``costs[i]``: cost of project ``i`` (int or Fraction, >= 0).  ``voters``: ``(multiplicity, projects)``
    per group of identical ballots, ``projects`` being the indices the ballot supports (duplicates are
    ignored).  ``order``: every project index once; earlier wins ties.  ``greedy_scores``: per project, the
    score of the greedy fill of ``add1-greedy`` (default: number of supporters).  ``project_keys``: when
    given, ballots name projects by these keys (project ``i`` is ``project_keys[i]``, e.g. its id) instead
    of by index, which spares the caller a pass over every ballot.
    """
    result, _ = _compute(
        costs, budget, voters, utility, order, completion, greedy_scores, False, project_keys
    )
    return result


def equal_shares_trace(
    costs: Sequence[int | Fraction],
    budget: int | Fraction,
    voters: Sequence[tuple[int, Sequence[Hashable]]],
    *,
    utility: Literal["cost", "cardinality"],
    order: Sequence[int],
    completion: Literal["none", "add1", "add1-greedy"] = "none",
    greedy_scores: Sequence[int] | None = None,
    project_keys: Sequence[Hashable] | None = None,
) -> MesTrace:
    """Like :func:`equal_shares`, also returning who paid what (for audits and tests; slower)."""
    result, payments = _compute(
        costs, budget, voters, utility, order, completion, greedy_scores, True, project_keys
    )
    return MesTrace(result=result, payments=payments)
