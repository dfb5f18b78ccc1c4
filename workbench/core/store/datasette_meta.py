"""Metadata for browsing the history in Datasette: descriptions and canned queries.

`workbench serve` writes this next to the cache and starts Datasette on the history file,
read-only (immutable). The queries are plain SQL over the documented schema, so they work in
any SQLite tool too.
"""

from __future__ import annotations

from typing import Any

from workbench import __version__

REQUESTS_COLUMNS = {
    "created_at": "UTC time the request was written (before it was sent)",
    "outcome": "ok, blocked_input, blocked_output, error, cancelled, interrupted (or pending)",
    "endpoint": "generate, edit, or moderate (find-the-trigger probes)",
    "prompt": "the complete prompt as sent (keys scrubbed)",
    "model": "image model asked for",
    "stage": "where a block happened: input, output or unknown",
    "categories": "JSON list of the categories the provider named",
    "request_ids": "JSON list of every request ID (x-request-id header, proxy, message)",
    "raw_body": "the provider's error body exactly as received",
    "findings_json": "local screening findings before sending",
    "parent_id": "the request this one was rewritten from (lineage)",
    "source": "live, import, demo, trigger or team",
    "gid": "global id (UUIDv7) shared with the team server",
    "origin": "the machine that made the request",
    "review_state": "human review: approved, rejected or empty",
}

QUERIES: dict[str, dict[str, Any]] = {
    "blocked_by_category_and_model": {
        "title": "Blocked requests by category and model",
        "sql": (
            "select coalesce(c.value, 'unspecified') as category, r.model, count(*) as blocked\n"
            "from requests r left join json_each(r.categories) c\n"
            "where r.outcome in ('blocked_input', 'blocked_output')\n"
            "group by 1, 2 order by blocked desc"
        ),
    },
    "appeals_by_status": {
        "title": "Appeals by status",
        "sql": ("select status, count(*) as appeals, max(updated_at) as last_change\n"
                "from appeals group by status order by appeals desc"),
    },
    "pass_rate_after_rewrite": {
        "title": "Pass rate after rewrite (requests whose parent was blocked)",
        "sql": (
            "select count(*) as rewrites,\n"
            "  sum(child.outcome = 'ok') as passed,\n"
            "  round(100.0 * sum(child.outcome = 'ok') / count(*), 1) as pass_rate_percent\n"
            "from requests child join requests parent on parent.id = child.parent_id\n"
            "where parent.outcome in ('blocked_input', 'blocked_output')\n"
            "  and child.outcome in ('ok', 'blocked_input', 'blocked_output')"
        ),
    },
}


def metadata(database: str = "history") -> dict[str, Any]:
    return {
        "title": "Prompt Workbench history",
        "description": f"Read-only view of the request history (Prompt Workbench {__version__}).",
        "databases": {
            database: {
                "tables": {
                    "requests": {"description": "Every image request, recorded before it was sent.",
                                 "columns": REQUESTS_COLUMNS},
                    "images": {"description": "Image files by sha256 (output, reference, mask)."},
                    "appeals": {"description": "Appeals grouping blocked requests, with status and ticket."},
                    "appeal_requests": {"description": "Which requests belong to which appeal."},
                    "request_findings": {"description": "Local screening findings per request (calibration)."},
                    "reviews": {"description": "Human reviews of requests and images."},
                    "trigger_runs": {"description": "Find-the-trigger results."},
                    "team_conflicts": {"description": "Concurrent appeal edits kept after a team merge."},
                },
                "queries": QUERIES,
            }
        },
    }
