"""The installed commands: `workbench` (CLI, console) and `workbench-gui` (desktop app, no console)."""

from __future__ import annotations

import importlib
import inspect
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_entry_point_is_a_callable_without_arguments():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"] == {"workbench": "workbench.cli:main"}
    assert project["gui-scripts"] == {"workbench-gui": "workbench.app:main"}
    for target in (*project["scripts"].values(), *project["gui-scripts"].values()):
        module, _, name = target.partition(":")
        function = getattr(importlib.import_module(module), name)
        assert all(p.default is not p.empty for p in inspect.signature(function).parameters.values()), target
