"""Every top-level import in workbench/ is the standard library, the project, or a declared dependency.

A module that works only because another dependency happens to pull it in (httpx2 through
openai, shiboken6 through PySide6) breaks the day that dependency changes; declare it.
Run directly (`python tests/test_dependencies.py`) to print the table.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "workbench"


def top_level_imports() -> dict[str, set[str]]:
    """{top-level module: files importing it} for absolute imports anywhere in workbench/."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # Optional features' extras count (e.g. 'serve' = Datasette); the test tools do not.
    extras = [spec for name, specs in project.get("optional-dependencies", {}).items() if name != "test"
              for spec in specs]
    return {_normal(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]) for spec in [*project["dependencies"], *extras]}


def undeclared() -> dict[str, str]:
    """{module: why} for every import that is neither stdlib, the project, nor declared."""
    providers = metadata.packages_distributions()
    wanted = declared()
    problems = {}
    for module, files in top_level_imports().items():
        if module in sys.stdlib_module_names or module == "workbench" or module == "__future__":
            continue
        dists = {_normal(d) for d in providers.get(module, [])}
        if not dists & wanted:
            where = ", ".join(sorted(files)[:3])
            problems[module] = f"provided by {sorted(dists) or 'nothing installed'}; imported in {where}"
    return problems


def test_every_imported_module_is_declared():
    assert undeclared() == {}


if __name__ == "__main__":
    for module, why in sorted(undeclared().items()):
        print(f"{module}: {why}")
    sys.exit(1 if undeclared() else 0)
