"""The Dashboard tab: violation rate and band, categories, top blocked prompts, pass rate after
rewrite, trend and the calibration map, drawn with plain widgets and QPainter."""

from workbench.ui.dashboard.view import DashboardView

__all__ = ["DashboardView"]
