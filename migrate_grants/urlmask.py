"""Connection URLs as they may be shown: passwords masked, wherever the user put them.

A password can sit in the userinfo (`postgresql://u:secret@h/db`, with `@`, `/` or `?` in it when
the user did not percent-encode it) or in the query string (`?password=secret`, `sslpassword`).
Messages show `mask_url(url).text`, never the URL itself; `found` says a password was there, so
callers can refuse the URL (command lines are visible to other users).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

MASK = "***"
SECRET_PARAMETERS = ("password", "sslpassword")


@dataclass(frozen=True)
class MaskedUrl:
    text: str  # the URL with every password replaced by ***
    found: bool  # a (non-empty) password was in it


def _userinfo_password(rest: str) -> tuple[int, int] | None:
    """(start, end) of the password in `rest` (the URL after "scheme://"), or None.

    libpq reads the userinfo up to the first '@' met before any '/'; a password typed with '@' or
    '/' in it (not percent-encoded) reaches to the last '@' of the authority, so that whole stretch
    is masked.  A ':' after the first '@' is a port, and an '@' after the first '?' is in the query
    (`?user=me@corp`), so neither makes a password.
    """
    first_at = rest.find("@")
    colon = rest.find(":")
    if first_at < 0 or colon < 0 or colon > first_at:
        return None
    slash = rest.find("/")
    if slash < 0 or first_at < slash:  # libpq's userinfo: the password ends at an '@' of the authority
        path = rest.find("/", first_at)
        end = rest.rfind("@", 0, path if path >= 0 else len(rest))
    else:  # a '/' in the password: libpq misreads it, the user meant everything up to the '@'
        query = rest.find("?")
        if 0 <= query < first_at:
            return None
        end = rest.rfind("@", 0, query if query >= 0 else len(rest))
    return colon + 1, end


def mask_url(url: str) -> MaskedUrl:
    """The URL with passwords masked (userinfo and query parameters), and whether it had any."""
    scheme, sep, rest = url.partition("://")
    prefix = scheme + sep if sep else ""
    if not sep:
        rest = url
    found = False
    span = _userinfo_password(rest)
    if span is not None:
        start, end = span
        if end > start:
            rest = rest[:start] + MASK + rest[end:]
            found = True
    head, question, query = rest.partition("?")
    if question:
        params = []
        for item in query.split("&"):
            key, eq, value = item.partition("=")
            if eq and unquote(key).strip().lower() in SECRET_PARAMETERS and value:
                item = f"{key}={MASK}"
                found = True
            params.append(item)
        rest = head + question + "&".join(params)
    return MaskedUrl(prefix + rest, found)
