"""Errors a user can cause and fix: shown as one line, never as a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem in the user's input, files or connection; the CLI prints it in one line.

    `exit_code` follows the CLI's named exit codes (2 = bad input or connection).
    Messages must name the file, row or object, and never contain a password.
    """

    exit_code = 2

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class SnapshotError(UserError):
    """A dictionary snapshot that is not valid JSON or misses a required view, column or type."""


class SourceError(UserError):
    """A source (Oracle connection, DDL file, snapshot path) that cannot be read."""
