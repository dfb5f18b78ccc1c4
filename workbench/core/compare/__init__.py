"""Compare across models and providers: one prompt and its rewrites on several targets.

`grid.run_grid(prompts, targets, …)` runs every (prompt, target) cell as a real request
through each target's client — an X/Y plot with prompts as rows and profile × model as
columns. Concurrency is limited per provider; each cell is a history row (a rewrite's row has
the original prompt's row on the same target as its parent, so "pass rate after rewrite"
counts it).
"""
