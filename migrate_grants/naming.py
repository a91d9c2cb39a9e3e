"""Oracle -> PostgreSQL identifiers, and the one quoting function.

Rules (issue 2):
- A name Oracle stores in upper case that is a valid unquoted Oracle identifier (a letter first;
  letters, digits, `_`, `$`, `#`) becomes its lower-case form: HR -> hr, that is what an unquoted
  name means in PostgreSQL.  Any other name (mixed case, spaces, quotes...) keeps its spelling.
- PostgreSQL truncates names over 63 bytes silently, so two long Oracle names could collide.  Such
  names get a deterministic shortened form: a prefix, `_`, and 8 hex digits of a hash of the full
  name.  Names that would still collide (e.g. HR and "hr") are disambiguated the same way.
  Both are reported as findings.
- Every identifier in generated SQL goes through `quote_ident`; literals through `quote_literal`.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Iterable

from .findings import Finding, Severity

MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1
_HASH_LEN = 8
_ORACLE_SPECIALS = "_$#"


def is_plain_oracle_name(name: str) -> bool:
    """True if Oracle would store this unquoted: upper case, letter first, letters/digits/_$#."""
    if not name or name != name.upper() or not name[0].isalpha():
        return False
    return all(ch.isalnum() or ch in _ORACLE_SPECIALS for ch in name)


def fold(name: str) -> str:
    """Oracle name -> PostgreSQL spelling before length rules: plain names become lower case."""
    return name.lower() if is_plain_oracle_name(name) else name


def _truncate_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")[:limit]
    return encoded.decode("utf-8", errors="ignore")  # never cut a multi-byte character in half


def shorten(name: str, salt: str = "") -> str:
    """A name of at most 63 bytes: prefix + '_' + hash of the full name (and salt)."""
    digest = hashlib.sha256((salt + name).encode("utf-8")).hexdigest()[:_HASH_LEN]
    return _truncate_bytes(name, MAX_IDENTIFIER_BYTES - _HASH_LEN - 1) + "_" + digest


@functools.lru_cache(maxsize=1 << 16)  # the same few thousand names, quoted hundreds of thousands of times
def quote_ident(name: str) -> str:
    """The one identifier-quoting function: always quoted, embedded quotes doubled."""
    if "\x00" in name:
        raise ValueError("identifier contains a NUL character")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A standard-conforming string literal (standard_conforming_strings is on since PG 9.1)."""
    if "\x00" in value:
        raise ValueError("literal contains a NUL character")
    return "'" + value.replace("'", "''") + "'"


def qualified(*parts: str) -> str:
    return ".".join(quote_ident(p) for p in parts)


@dataclass
class NameMapper:
    """Assigns PostgreSQL names to the Oracle names of one namespace, collision-free.

    Deterministic: depends only on the set of names, not on the order they were seen.
    `what` says what kind of name this is for findings ("role", "schema", "table in HR").
    """

    what: str
    _names: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @classmethod
    def build(cls, oracle_names: Iterable[str], what: str, reserved: Iterable[str] = (),
              forbidden_prefix: str | tuple[str, ...] | None = None, overrides: dict[str, str] | None = None,
              prefix: str = "") -> "NameMapper":
        """`reserved`: names PostgreSQL refuses (public, none...); `forbidden_prefix`: "pg_" for
        roles and schemas, which PostgreSQL reserves (and "rds" for roles on RDS); such names get
        an "ora_" prefix.
        `overrides` (rename rules: Oracle name -> PostgreSQL name) and `prefix` come from the config."""
        overrides = overrides or {}
        mapper = cls(what)
        reserved = frozenset(reserved)
        taken: set[str] = set(reserved)
        # Plain (folded) names first, then the rest; within each, sorted: the stable winner keeps
        # the natural name and the other is disambiguated.
        ordered = sorted(set(oracle_names), key=lambda n: (not is_plain_oracle_name(n), n))
        # Explicitly renamed names claim theirs first.
        ordered.sort(key=lambda n: n not in overrides)
        for oracle_name in ordered:
            natural = overrides[oracle_name] if oracle_name in overrides else prefix + fold(oracle_name)
            if natural in reserved or (forbidden_prefix and natural.startswith(forbidden_prefix)):
                renamed = "ora_" + natural
                mapper.findings.append(Finding(
                    Severity.WARNING, "name-reserved",
                    f"{what} name {oracle_name!r} is reserved in PostgreSQL or RDS; PostgreSQL name is {renamed!r}",
                    "Use the new name in converted code and connection settings, or add a rename rule.",
                    object=oracle_name))
                natural = renamed
            candidate = natural
            if len(natural.encode("utf-8")) > MAX_IDENTIFIER_BYTES:
                candidate = shorten(natural)
                mapper.findings.append(Finding(
                    Severity.INFO, "name-shortened",
                    f"{what} name {oracle_name!r} is longer than 63 bytes; PostgreSQL name is {candidate!r}",
                    "Use the shortened name in converted code, or add a rename rule.",
                    object=oracle_name))
            salt = 0
            while candidate in taken:
                salt += 1
                candidate = shorten(natural, salt=str(salt))
            if candidate != natural and salt:
                mapper.findings.append(Finding(
                    Severity.WARNING, "name-collision",
                    f"{what} name {oracle_name!r} maps to {natural!r}, which another name already takes; "
                    f"PostgreSQL name is {candidate!r}",
                    "Rename one of them in Oracle or add a rename rule, and use the same name in converted code.",
                    object=oracle_name))
            taken.add(candidate)
            mapper._names[oracle_name] = candidate
        return mapper

    def __getitem__(self, oracle_name: str) -> str:
        return self._names[oracle_name]

    def get(self, oracle_name: str) -> str | None:
        return self._names.get(oracle_name)

    def __contains__(self, oracle_name: str) -> bool:
        return oracle_name in self._names
