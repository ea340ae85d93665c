"""The "recount it yourself" instructions of a published round: the exact commands for its files."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.models import BallotType, LeftoverPolicy, Round, TieBreak
from app.services.results.record_files import file_names, part_pb_name

# How each wijkbudget rule is called in pabutools 1.2.3 (the same calls the counting tests compare against).
_PABUTOOLS_CALLS = {
    "greedy": ("greedy_utilitarian_welfare", "Cost_Sat", ""),
    "greedy-threshold": ("greedy_utilitarian_welfare", "Cost_Sat", ""),
    "greedy-per-cost": ("greedy_utilitarian_welfare", "Cardinality_Sat", ""),
    "equalshares": ("method_of_equal_shares", "Cost_Sat", ""),
    "equalshares-approval": ("method_of_equal_shares", "Cardinality_Sat", ""),
    "equalshares/add1": ("method_of_equal_shares", "Cost_Sat", ", voter_budget_increment=1"),
}
_GREEDY = ("greedy", "greedy-threshold")

# A greedy count ranks points ballots by points and ranked ballots by their ranking score; pabutools' Cost_Sat
# only sees whether a ballot names a project, so the snippet gives it the score (times the cost, as Cost_Sat
# does for an approval) through a satisfaction class of its own.
_SCORE_LINES = {
    BallotType.POINTS.value: [
        "def score(ballot, project):",
        "    return ballot[project] if project in ballot else 0  # the points given",
    ],
    BallotType.RANKED.value: [
        "def score(ballot, project):",
        "    # a ranking of n projects gives n points to the first, n - 1 to the second, ...",
        "    ranking = list(ballot)",
        "    return len(ranking) - ranking.index(project) if project in ranking else 0",
    ],
}


@dataclass(frozen=True)
class RecountSettings:
    """What a recount must reproduce: the rule and tie-break, and the kaders that change how pabutools is
    called (ballot type, minimum score, caps, leftover policy)."""

    rule: str
    tie_break: str
    ballot_type: str = BallotType.APPROVAL.value
    min_votes: int | None = None
    has_caps: bool = False
    leftover_policy: str = LeftoverPolicy.RETURN_TO_MUNICIPALITY.value

    @classmethod
    def of(cls, rnd: Round, rule: str, tie_break: str) -> RecountSettings:
        return cls(
            rule=rule,
            tie_break=tie_break,
            ballot_type=rnd.ballot_type,
            min_votes=rnd.min_votes if rule == "greedy-threshold" else None,
            has_caps=bool(rnd.caps),
            leftover_policy=rnd.leftover_policy,
        )


@dataclass(frozen=True)
class PartRecount:
    """The recount of one part of the ballot: its `.pb`, the tally command and the pabutools code."""

    key: str
    pb_name: str
    tally_command: str
    pabutools_snippet: str | None


@dataclass(frozen=True)
class RecountHelp:
    names: dict[str, str]
    sha256: str
    tally_command: str
    pabutools_snippet: str | None  # None: pabutools has no single call for this rule or these kaders
    uses_priority_order: bool  # True: pabutools needs the recorded order to break ties as the count did
    parts: list[PartRecount] = field(default_factory=list)  # one per part of the ballot
    partial_funding: bool = False  # the leftover step funds a project in part: pabutools has no such step


def recount_help(rnd: Round, sha256: str, settings: RecountSettings) -> RecountHelp:
    names = file_names(rnd.id)
    uses_order = settings.tie_break != TieBreak.LEXICOGRAPHIC.value
    keys = ["wijk", *(f"buurt-{b.buurt_id}" for b in rnd.buurt_budgets)]
    parts = []
    for index, key in enumerate(keys):
        pb = part_pb_name(rnd.id, key)
        # A part's own priority order sits in the JSON under "parts"; a single part's under "recount" (as in
        # records written before a ballot could have parts).
        snippet = pabutools_snippet(
            settings.rule, {**names, "pb": pb}, uses_order, settings, part=index, several=len(keys) > 1
        )
        parts.append(PartRecount(key, pb, f"wijkbudget tally {pb}", snippet))
    return RecountHelp(
        names=names,
        sha256=sha256,
        tally_command=parts[0].tally_command,
        pabutools_snippet=parts[0].pabutools_snippet,
        uses_priority_order=uses_order,
        parts=parts,
        partial_funding=settings.leftover_policy == LeftoverPolicy.NEXT_PROJECT_PARTIAL.value,
    )


def pabutools_snippet(
    rule: str,
    names: dict[str, str],
    uses_order: bool,
    settings: RecountSettings | None = None,
    *,
    part: int = 0,
    several: bool = False,
) -> str | None:
    """Python that recounts a `.pb` with pabutools and prints the ids of the projects funded in full, or None
    when pabutools has no call for it (its rule, or caps, which pabutools does not know). With the default
    tie-break it passes the recorded priority order, because pabutools' own tie-break (project id order)
    could pick differently between equal projects. A minimum score cuts the projects below it first; the
    leftover policy "fund what fits" runs pabutools' greedy again from the winners."""
    settings = settings or RecountSettings(
        rule, TieBreak.LEXICOGRAPHIC.value if not uses_order else "default"
    )
    call = _PABUTOOLS_CALLS.get(rule)
    if call is None or settings.has_caps:
        return None
    if (
        rule not in _GREEDY
        and settings.ballot_type in _SCORE_LINES
        and (settings.leftover_policy == LeftoverPolicy.FUND_FITTING.value)
    ):
        return (
            None  # the leftover step goes by points or ranking score, which pabutools' MES call does not see
        )
    function, satisfaction, extra = call
    scored = settings.ballot_type in _SCORE_LINES and rule in _GREEDY
    lines = _imports(function, satisfaction, scored, uses_order, settings)
    lines += ["", f'instance, profile = parse_pabulib("{names["pb"]}")']
    if scored:
        lines += ["", *_SCORE_LINES[settings.ballot_type], *_score_sat_class()]
        satisfaction = "ScoreTimesCost"
    tie_arg = ""
    if uses_order:
        where = '["recount"]' if part == 0 and not several else f'["parts"][{part}]'
        lines += [
            f'with open("{names["json"]}", encoding="utf-8") as f:',
            f'    order = json.load(f){where}["tie_break_priority_pb_ids"]',
            "ties = TieBreakingRule(lambda inst, prof, project: order.index(project.name))",
        ]
        tie_arg = ", tie_breaking=ties"
    if settings.min_votes is not None:
        lines += _threshold_lines(settings.min_votes, scored)
    lines.append(f"winners = {function}(instance, profile, sat_class={satisfaction}{extra}{tie_arg})")
    if settings.leftover_policy == LeftoverPolicy.FUND_FITTING.value:
        lines += [
            "# The money left over funds more projects that fit, by score: greedy again, from the winners.",
            f"winners = greedy_utilitarian_welfare(instance, profile, sat_class={satisfaction}{tie_arg},",
            "                                     initial_budget_allocation=winners)",
        ]
    lines.append("print(sorted(project.name for project in winners))")
    return "\n".join(lines) + "\n"


def _imports(
    function: str, satisfaction: str, scored: bool, uses_order: bool, settings: RecountSettings
) -> list[str]:
    election_names = ["parse_pabulib", satisfaction]
    if scored:
        election_names = ["parse_pabulib", "AdditiveSatisfaction"]
    if settings.min_votes is not None:
        election_names.append("Instance")
    functions = [function]
    if (
        settings.leftover_policy == LeftoverPolicy.FUND_FITTING.value
        and function != "greedy_utilitarian_welfare"
    ):
        functions.append("greedy_utilitarian_welfare")
    lines = ["import json"] if uses_order else []
    lines += [
        f"from pabutools.election import {', '.join(election_names)}",
        f"from pabutools.rules import {', '.join(functions)}",
    ]
    if uses_order:
        lines.append("from pabutools.tiebreaking import TieBreakingRule")
    return lines


def _score_sat_class() -> list[str]:
    return [
        "",
        "class ScoreTimesCost(AdditiveSatisfaction):",
        "    def __init__(self, instance, profile, ballot):",
        "        super().__init__(instance, profile, ballot,",
        "                         lambda inst, prof, b, project, pre: score(b, project) * project.cost)",
        "",
    ]


def _threshold_lines(min_votes: int, scored: bool) -> list[str]:
    score = "score(ballot, p)" if scored else "(p in ballot)"
    return [
        f"# Only projects with a score of at least {min_votes} can be funded (greedy-threshold).",
        f"kept = [p for p in instance if sum({score} for ballot in profile) >= {min_votes}]",
        "instance = Instance(kept, budget_limit=instance.budget_limit)",
    ]
