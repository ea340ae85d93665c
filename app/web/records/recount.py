"""The "recount it yourself" instructions of a published round: the exact commands for its files."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import TieBreak
from app.services.results.record_files import file_names

# How each wijkbudget rule is called in pabutools 1.2.3 (the same calls the counting tests compare against).
_PABUTOOLS_CALLS = {
    "greedy": ("greedy_utilitarian_welfare", "Cost_Sat", ""),
    "greedy-per-cost": ("greedy_utilitarian_welfare", "Cardinality_Sat", ""),
    "equalshares": ("method_of_equal_shares", "Cost_Sat", ""),
    "equalshares-approval": ("method_of_equal_shares", "Cardinality_Sat", ""),
    "equalshares/add1": ("method_of_equal_shares", "Cost_Sat", ", voter_budget_increment=1"),
}


@dataclass(frozen=True)
class RecountHelp:
    names: dict[str, str]
    sha256: str
    tally_command: str
    pabutools_snippet: str | None  # None: pabutools has no single call for this rule
    uses_priority_order: bool  # True: pabutools needs the recorded order to break ties as the count did


def recount_help(round_id: int, sha256: str, rule: str, tie_break: str) -> RecountHelp:
    names = file_names(round_id)
    uses_order = tie_break != TieBreak.LEXICOGRAPHIC.value
    return RecountHelp(
        names=names,
        sha256=sha256,
        tally_command=f"wijkbudget tally {names['pb']}",
        pabutools_snippet=pabutools_snippet(rule, names, uses_order),
        uses_priority_order=uses_order,
    )


def pabutools_snippet(rule: str, names: dict[str, str], uses_order: bool) -> str | None:
    """Python that recounts the `.pb` with pabutools and prints the winners' ids, or None for a rule that
    pabutools has no single call for. With the default tie-break it passes the recorded priority order,
    because pabutools' own tie-break (project id order) could pick differently between equal projects."""
    call = _PABUTOOLS_CALLS.get(rule)
    if call is None:
        return None
    function, satisfaction, extra = call
    module = "pabutools.rules"
    lines = [
        "import json",
        f"from pabutools.election import parse_pabulib, {satisfaction}",
        f"from {module} import {function}",
    ]
    tie_arg = ""
    if uses_order:
        lines.append("from pabutools.tiebreaking import TieBreakingRule")
    lines += ["", f'instance, profile = parse_pabulib("{names["pb"]}")']
    if uses_order:
        lines += [
            f'with open("{names["json"]}", encoding="utf-8") as f:',
            '    order = json.load(f)["recount"]["tie_break_priority_pb_ids"]',
            "ties = TieBreakingRule(lambda inst, prof, project: order.index(project.name))",
        ]
        tie_arg = ", tie_breaking=ties"
    lines += [
        f"winners = {function}(instance, profile, sat_class={satisfaction}{extra}{tie_arg})",
        "print(sorted(project.name for project in winners))",
    ]
    if not uses_order:
        lines.remove("import json")
    return "\n".join(lines) + "\n"
