"""Generate panel: request settings, cost estimate, progress, results and blocks."""
