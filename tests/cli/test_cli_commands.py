"""Every sub-command module is registered, and a missing one is an error, never skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench.cli as cli


def test_every_command_module_is_registered():
    folder = Path(cli.__file__).parent
    modules = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_") and "def register(" in p.read_text()}
    assert modules == set(cli.COMMAND_MODULES)


def test_a_missing_command_module_is_an_error(monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "not_there"))
    with pytest.raises(ModuleNotFoundError, match="workbench.cli.not_there"):
        cli.build_parser()
