"""requirements.lock pins every dependency pyproject.toml declares, so an install is what CI passed with."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """PEP 503 normalised project name of a requirement string."""
    bare = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip()).group(0)
    return re.sub(r"[-_.]+", "-", bare).lower()


def _locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version.strip(), f"not pinned to one version: {line!r}"
            pins[_name(name)] = version.strip()
    return pins


def test_every_declared_dependency_and_extra_is_pinned_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += [r for r in extra if not r.startswith("intake")]
    missing = {_name(r) for r in declared} - set(_locked())
    assert not missing, f"run `make lock`: {sorted(missing)} not in requirements.lock"


def test_the_lock_pins_the_installers_too():
    assert {"pip", "setuptools"} <= set(_locked())


def test_setup_installs_from_the_lock_and_resolves_nothing_else():
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert "-r requirements.lock" in setup
    assert "--no-deps" in setup
