"""Shipped migrations never call live code: each uses only its own frozen helpers (`_m007_…`)."""

from __future__ import annotations

import ast
import inspect

from workbench.core.store import migrations


def test_migrations_call_only_their_own_frozen_helpers():
    tree = ast.parse(inspect.getsource(migrations))
    module_functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    offenders = []
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name[:1] == "m" and node.name[1:4].isdigit()):
            continue
        prefix = f"_{node.name[:4]}_"
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in module_functions:
                if not call.func.id.startswith(prefix):
                    offenders.append(f"{node.name} calls {call.func.id}")
    assert offenders == []


def test_the_frozen_m007_copy_still_matches_what_shipped():
    findings = ('[{"term": "Knife", "category": "violence", "severity": "high"},'
                ' {"text": "knife", "category": "violence", "severity": "low"}, "junk", {"term": "x"}]')
    assert migrations._m007_finding_rows(3, findings) == [
        {"request_id": 3, "term": "knife", "category": "violence", "severity": "high"}]
    assert migrations._m007_finding_rows(3, "{not json") == []
