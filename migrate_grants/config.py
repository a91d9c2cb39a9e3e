"""The mapping configuration file (TOML): selection, renaming, and the choices the mapping offers.

In the spirit of AWS DMS table-mapping rules: include/exclude by Oracle name with `%` wildcards
(case-sensitive, Oracle spelling), explicit renames and prefixes for roles and schemas.

    [select]
    include_users = ["APP%", "HR"]      # absent = all (non-Oracle-maintained) users
    exclude_users = ["TEST%"]
    include_roles = []  exclude_roles = []
    include_schemas = []  exclude_schemas = ["SCRATCH"]
    exclude_objects = ["HR.TMP%"]        # OWNER.NAME

    [rename]
    roles = { HR = "hr_app" }            # Oracle name -> PostgreSQL name (exact)
    schemas = { HR = "hr_app" }
    role_prefix = ""                     # added to every other role name
    schema_prefix = ""

    [mapping]
    any_table = "per-schema"             # or "predefined": pg_read_all_data / pg_write_all_data (PG 14+)
    dictionary = "stats-and-settings"    # or "pg_monitor"
    package_naming = "schema"            # "schema" (Ora2Pg), "prefix" (AWS SCT pkg$proc), "report"
    map_dba = false                      # DBA -> rds_superuser (RDS/Aurora) / SUPERUSER (postgres)
    passwords = "none"                   # "none", "generate", "iam"
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError

CHOICES = {
    "any_table": ("per-schema", "predefined"),
    "dictionary": ("stats-and-settings", "pg_monitor"),
    "package_naming": ("schema", "prefix", "report"),
    "passwords": ("none", "generate", "iam"),
}
SELECT_KEYS = ("include_users", "exclude_users", "include_roles", "exclude_roles", "include_schemas",
               "exclude_schemas", "include_objects", "exclude_objects")


@functools.cache  # matched once per object row: compile each pattern once
def _pattern(p: str) -> re.Pattern:
    return re.compile("".join(".*" if ch == "%" else re.escape(ch) for ch in p) + r"\Z", re.DOTALL)


@dataclass(frozen=True)
class Selection:
    patterns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def _match(self, key: str, name: str) -> bool:
        return any(_pattern(p).match(name) for p in self.patterns.get(key, ()))

    def _selected(self, kind: str, name: str) -> bool:
        if self.patterns.get(f"include_{kind}") and not self._match(f"include_{kind}", name):
            return False
        return not self._match(f"exclude_{kind}", name)

    def user(self, name: str) -> bool:
        return self._selected("users", name)

    def role(self, name: str) -> bool:
        return self._selected("roles", name)

    def schema(self, owner: str) -> bool:
        return self._selected("schemas", owner)

    def object(self, owner: str, name: str) -> bool:
        return self.schema(owner) and self._selected("objects", f"{owner}.{name}")

    def is_empty(self) -> bool:
        return not any(self.patterns.values())


@dataclass(frozen=True)
class Renames:
    roles: dict[str, str] = field(default_factory=dict)
    schemas: dict[str, str] = field(default_factory=dict)
    role_prefix: str = ""
    schema_prefix: str = ""


@dataclass(frozen=True)
class Config:
    selection: Selection = Selection()
    renames: Renames = Renames()
    any_table: str = "per-schema"
    dictionary: str = "stats-and-settings"
    package_naming: str = "schema"
    map_dba: bool = False
    passwords: str = "none"


def _no_nul(value: str, where: str) -> str:
    if "\x00" in value:  # TOML's \u0000: no PostgreSQL name can hold it
        raise UserError(f"{where}: {value!r} contains a NUL character")
    return value


def _strings(value, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise UserError(f"{where}: expected a list of names (with % wildcards)")
    return tuple(_no_nul(v, where) for v in value)


def _mapping(value, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
        raise UserError(f"{where}: expected a table of Oracle name = \"postgres_name\"")
    return {_no_nul(k, where): _no_nul(v, where) for k, v in value.items()}


def _toml_type(value) -> str:
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string"),
                       (list, "an array")):
        if isinstance(value, kind):
            return name
    return "a date or time"


def config_from_dict(data: dict, origin: str) -> Config:
    unknown = set(data) - {"select", "rename", "mapping"}
    if unknown:
        raise UserError(f"{origin}: unknown section [{sorted(unknown)[0]}] (expected [select], [rename], [mapping])")
    for section in ("select", "rename", "mapping"):
        if not isinstance(data.get(section, {}), dict):
            raise UserError(f"{origin}: [{section}] must be a table (a [{section}] header and key = value lines), "
                            f"not {_toml_type(data[section])}")
    select = data.get("select", {})
    for key in select:
        if key not in SELECT_KEYS:
            raise UserError(f"{origin}: [select] unknown key {key!r} (expected one of {', '.join(SELECT_KEYS)})")
    selection = Selection({k: _strings(v, f"{origin}: [select] {k}") for k, v in select.items()})

    rename = data.get("rename", {})
    for key in rename:
        if key not in ("roles", "schemas", "role_prefix", "schema_prefix"):
            raise UserError(f"{origin}: [rename] unknown key {key!r}")
    for key in ("role_prefix", "schema_prefix"):
        if not isinstance(rename.get(key, ""), str):
            raise UserError(f"{origin}: [rename] {key} must be a string")
        _no_nul(rename.get(key, ""), f"{origin}: [rename] {key}")
    renames = Renames(_mapping(rename.get("roles", {}), f"{origin}: [rename] roles"),
                      _mapping(rename.get("schemas", {}), f"{origin}: [rename] schemas"),
                      rename.get("role_prefix", ""), rename.get("schema_prefix", ""))

    mapping = dict(data.get("mapping", {}))
    values = {}
    for key, value in mapping.items():
        if key == "map_dba":
            if not isinstance(value, bool):
                raise UserError(f"{origin}: [mapping] map_dba must be true or false")
            values[key] = value
        elif key in CHOICES:
            if value not in CHOICES[key]:
                raise UserError(f"{origin}: [mapping] {key} = {value!r}: expected one of {', '.join(CHOICES[key])}")
            values[key] = value
        else:
            raise UserError(f"{origin}: [mapping] unknown key {key!r}")
    return Config(selection, renames, **values)


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from None
    return config_from_dict(data, str(path))
