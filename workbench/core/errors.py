"""The two families of errors: the user's world (shown as a message) and our bugs (crash hook)."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose."""


class UserFacingError(WorkbenchError):
    """Something in the user's world went wrong; `user_message` is one clear line for them.

    Bad input files, a locked or corrupt database, a missing key, a network fault. The CLI
    prints it as one line and exits non-zero; the GUI shows it in a message box.
    """

    def __init__(self, user_message: str, *, detail: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail


class BadInputError(UserFacingError):
    """Input text or file that cannot be used (binary, invalid UTF-8, wrong columns, too big)."""


class LexiconError(UserFacingError):
    """A lexicon or rules file (shipped or the user's) that cannot be parsed."""


class StoreError(UserFacingError):
    """The history database cannot be opened or written (corrupt, locked, read-only, newer)."""
