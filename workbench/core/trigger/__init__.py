"""Find the trigger: narrow a blocked prompt to the smallest span(s) that still trigger.

The seeds' "binary search reproduction": probe halves of the prompt's clauses, then the phrases
of the clauses that remain, with the free Moderations endpoint (a different system from the
image endpoint's) or with real image calls at the cheapest settings under a spending cap.

- `units` splits a prompt into clause and phrase spans.
- `search` narrows a list of spans with an async yes/no probe, counting probes.
- `run` probes for real (moderation or image), keeps the budget, records every probe in
  history as a child of the request it started from, and can be cancelled.
"""
