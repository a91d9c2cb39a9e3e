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

URL_SCHEMES = ("postgresql://", "postgres://")
APPLICATION_NAME = "migrate-grants"
DEFAULT_CONNECT_TIMEOUT = 10  # seconds, unless the URL or PGCONNECT_TIMEOUT says otherwise


def is_postgres_url(spec: str) -> bool:
    return spec.startswith(URL_SCHEMES)


def check_url(url: str) -> dict:
    """Validate a target URL; returns its libpq parameters.  Refuses a password in it."""
    if not is_postgres_url(url):
        raise UserError(f"{url}: a target is a postgresql:// URL (settings from PG* variables, ~/.pgpass "
                        "or a service file: postgresql:///?service=NAME)")
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise UserError(f"{display_url(url)}: not a valid connection URL: {_one_line(str(exc))}") from None
    if params.get("password"):
        raise UserError(f"{display_url(url)}: the URL contains a password, and command lines are visible to "
                        "other users: remove it and use PGPASSWORD, ~/.pgpass or a service file (PGSERVICEFILE)")
    return params


def display_url(url: str) -> str:
    """The URL as it may be shown: any password replaced (defensive; check_url refuses them)."""
    if "@" not in url or not is_postgres_url(url):
        return url
    scheme, rest = url.split("://", 1)
    userinfo, sep, tail = rest.partition("@")
    if sep and ":" in userinfo:
        userinfo = userinfo.split(":", 1)[0] + ":***"
    return f"{scheme}://{userinfo}{sep}{tail}"


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
