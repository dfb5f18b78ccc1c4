"""The layers hold: import-linter contracts (pyproject.toml), core free of Qt at runtime.

`lint-imports` runs on the real tree and on a copy with one deliberately bad import, which
must fail; the Sandbox contract must name every core module as allowed or forbidden.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import workbench

PACKAGE = Path(workbench.__file__).resolve().parent
FORBIDDEN = ("PySide6", "shiboken6", "qasync", "workbench.ui", "workbench.app")
ROOT = PACKAGE.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# What the Sandbox may use of the core (the models and helpers it shares with the client).
SANDBOX_MAY_USE = {"workbench.core", "workbench.core.errors", "workbench.core.api", "workbench.core.api.records",
                   "workbench.core.api.results", "workbench.core.api.pricing", "workbench.core.io",
                   "workbench.core.io.tomlfile"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_core_sources_import_no_qt():
    offenders = []
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []


def test_core_runs_with_qt_blocked():
    """Import every core module in a fresh interpreter where importing PySide6 fails."""
    code = (
        "import sys, importlib, pkgutil\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {('PySide6', 'shiboken6', 'qasync')!r}:\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import workbench.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'workbench.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def _lint_imports(project: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def lint_imports_available():
    if not LINT_IMPORTS.exists():
        pytest.fail("lint-imports is missing: install the test extra (pip install -e '.[test]')")


def test_import_contracts_are_kept(lint_imports_available):
    out = _lint_imports(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


@pytest.mark.parametrize(("module", "bad_import", "contract"), [
    ("core/_bad_import.py", "from workbench.ui import messages", "core is pure Python"),
    ("core/_bad_import.py", "from workbench.sandbox import shared_sandbox", "core is pure Python"),
    ("ui/_bad_import.py", "from workbench.cli.history import run_export", "does not import the command line"),
    ("core/_bad_import.py", "from workbench.render.pdf import write_pdf", "core is pure Python"),
    ("render/_bad_import.py", "from workbench.ui import messages", "renderers import no UI"),
    ("sandbox/_bad_import.py", "from workbench.core.store import HistoryStore", "Sandbox uses only core models"),
])
def test_a_bad_import_breaks_its_contract(tmp_path, lint_imports_available, module, bad_import, contract):
    """A copy of the package with one forbidden import: lint-imports must fail and name it."""
    shutil.copytree(PACKAGE, tmp_path / "workbench", ignore=shutil.ignore_patterns("__pycache__", "resources"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "workbench" / module).write_text(f'"""Deliberately bad."""\n\n{bad_import}\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = _lint_imports(tmp_path, env)
    bad_module = "workbench." + module.removesuffix(".py").replace("/", ".")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "1 broken" in out.stdout and contract in out.stdout.split("Broken contracts")[1]
    assert bad_module in out.stdout


def test_sandbox_contract_names_every_core_module():
    """A new core module must be placed: usable by the Sandbox (SANDBOX_MAY_USE) or forbidden to it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "sandbox-models-only")
    forbidden = set(contract["forbidden_modules"])
    unplaced = []
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        # Allowed modules are named one by one (a package's name allows only its __init__);
        # a forbidden package covers everything in it.
        if name not in SANDBOX_MAY_USE and not any(name == m or name.startswith(m + ".") for m in forbidden):
            unplaced.append(name)
    assert unplaced == [], "add these to the Sandbox contract in pyproject.toml or to SANDBOX_MAY_USE"
