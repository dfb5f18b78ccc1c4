"""The Qt side of the workbench: widgets that call named operations (`workbench.ui.operations`)."""

from workbench.ui import qtfix

qtfix.install()  # before any Qt call: see qtfix for the PySide6 6.12.0 bug it guards
