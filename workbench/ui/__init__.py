"""The Qt side of the workbench: widgets that call named operations (`workbench.ui.operations`)."""
