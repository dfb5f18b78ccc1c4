"""Pure-Python core of the workbench: no Qt, no qasync, no UI imports (checked by a test)."""
