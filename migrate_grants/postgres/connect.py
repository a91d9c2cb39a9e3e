"""Connections to the target: libpq settings only, never a password on the command line.

A target is a `postgresql://` (or `postgres://`) URL; everything else comes from libpq as usual:
PG* environment variables (PGPASSWORD, PGSSLMODE...), ~/.pgpass, and service files
(`postgresql:///?service=prod` with ~/.pg_service.conf or PGSERVICEFILE).  A URL that carries a
password is refused: argv is visible to every user of the machine (ps) and lands in shell history.
"""

from __future__ import annotations

import os

import psycopg
from psycopg.conninfo import conninfo_to_dict

from ..errors import UserError
from ..urlmask import SECRET_PARAMETERS, mask_url

URL_SCHEMES = ("postgresql://", "postgres://")
APPLICATION_NAME = "migrate-grants"
DEFAULT_CONNECT_TIMEOUT = 10  # seconds, unless the URL or PGCONNECT_TIMEOUT says otherwise


def is_postgres_url(spec: str) -> bool:
    return spec.startswith(URL_SCHEMES)


def check_url(url: str) -> dict:
    """Validate a target URL; returns its libpq parameters.  Refuses a password in it.

    No message shows the URL as given: only display_url(), with any password masked."""
    shown = mask_url(url)
    if not is_postgres_url(url):
        raise UserError(f"{shown.text}: a target is a postgresql:// URL (settings from PG* variables, ~/.pgpass "
                        "or a service file: postgresql:///?service=NAME)")
    if shown.found:  # refused before libpq parses it: its parse errors quote the URL and its tokens
        raise UserError(_password_refused(shown.text))
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        message = _one_line(str(exc).replace(url, shown.text))
        raise UserError(f"{shown.text}: not a valid connection URL: {message}") from None
    if any(params.get(key) for key in SECRET_PARAMETERS):
        raise UserError(_password_refused(shown.text))
    return params


def _password_refused(shown: str) -> str:
    return (f"{shown}: the URL contains a password, and command lines are visible to other users: remove it and "
            "use PGPASSWORD, ~/.pgpass or a service file (PGSERVICEFILE)")


def display_url(url: str) -> str:
    """The URL as it may be shown: any password (userinfo or query string) replaced by ***."""
    return mask_url(url).text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def connection_error(url: str, exc: Exception) -> UserError:
    """A libpq/psycopg error as one line naming the target (libpq never echoes the password)."""
    message = _one_line(str(exc)) or exc.__class__.__name__
    return UserError(f"{display_url(url)}: cannot connect: {message}")


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection:
    params = check_url(url)
    kwargs: dict = {"fallback_application_name": APPLICATION_NAME}
    if not params.get("connect_timeout") and not os.environ.get("PGCONNECT_TIMEOUT"):
        kwargs["connect_timeout"] = DEFAULT_CONNECT_TIMEOUT
    try:
        return psycopg.connect(url, autocommit=autocommit, **kwargs)
    except psycopg.Error as exc:
        raise connection_error(url, exc) from None
