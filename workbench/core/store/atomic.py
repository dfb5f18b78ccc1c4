"""Atomic file writing for the store's callers; the one implementation is `workbench.core.io.files`."""

from workbench.core.io.files import atomic_output, atomic_write_bytes, atomic_write_text

__all__ = ["atomic_output", "atomic_write_bytes", "atomic_write_text"]
