"""The lock files pin every dependency pyproject.toml names, within its range (run `make lock` after adding one).

requirements.lock is what the Dockerfile and `make run` install (runtime only); requirements-dev.lock is what
`make test` and CI install (runtime + dev). Both must pin the same version of a package they share.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
PYTHON_311 = default_environment() | {"python_version": "3.11", "python_full_version": "3.11.0"}


def _project() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {"runtime": project["dependencies"], "dev": project["optional-dependencies"]["dev"]}


def _pins(name: str) -> dict[str, set[Version]]:
    pins: dict[str, set[Version]] = {}
    for line in (ROOT / name).read_text().splitlines():
        match = PIN.match(line)
        if match:
            pins.setdefault(canonicalize_name(match[1]), set()).add(Version(match[2]))
    return pins


@pytest.mark.parametrize(
    ("lock", "groups"), [("requirements.lock", ("runtime",)), ("requirements-dev.lock", ("runtime", "dev"))]
)
def test_the_lock_pins_every_dependency_within_its_range(lock: str, groups: tuple[str, ...]) -> None:
    pins = _pins(lock)
    unpinned = []
    for group in groups:
        for text in _project()[group]:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate(PYTHON_311):
                continue
            versions = pins.get(canonicalize_name(requirement.name), set())
            if not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
                unpinned.append(f"{text} (locked: {sorted(map(str, versions)) or 'nothing'})")
    assert not unpinned, f"{lock} is stale, run `make lock`: {unpinned}"


def test_extras_bring_their_packages() -> None:
    assert "redis" in _pins("requirements.lock") and "kombu" in _pins("requirements.lock")  # celery[redis]


def test_the_runtime_lock_holds_no_dev_tools_and_agrees_with_the_dev_lock() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    for tool in ("pytest", "ruff", "mypy", "playwright"):
        assert tool not in runtime
    disagreeing = {
        name: (versions, dev.get(name)) for name, versions in runtime.items() if dev.get(name) != versions
    }
    assert not disagreeing


def test_every_pin_has_hashes() -> None:
    for lock in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / lock).read_text()
        assert text.count("==") <= text.count("--hash=sha256:")
