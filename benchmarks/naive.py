#!/usr/bin/env python3
"""Helpers of benchmarks/run.py that load a whole estate, run as their own process so that the
benchmark's own process stays small (a child's peak memory counts the memory of the process that
forked it).

    python benchmarks/naive.py scripts ESTATE MAJOR DDL_OUT NAIVE_OUT   # prints the naive script's statements
    python benchmarks/naive.py compare REFERENCE OTHER                  # access files: exit 1 if different
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from migrate_grants.catalog import load_catalog  # noqa: E402
from migrate_grants.mapping import MappingOptions, Target, map_catalog  # noqa: E402
from migrate_grants.model import PUBLIC, Model, ObjectKind, ObjectRef  # noqa: E402
from migrate_grants.naming import quote_ident, quote_literal  # noqa: E402
from migrate_grants.plan import PUBLIC_DEFAULTS  # noqa: E402
from migrate_grants.templates import grantee as grantee_sql, qname  # noqa: E402


def ddl(model: Model) -> str:
    """The estate's schemas and tables (and views, sequences...), as a conversion tool would create
    them as master, in one transaction; tables get every column a column grant names."""
    columns: dict = {}
    for g in model.grants:
        if g.column is not None:
            columns.setdefault(g.ref, set()).add(g.column)
    lines = ["BEGIN;"]
    for o in model.objects:
        if o.ref.kind is ObjectKind.SCHEMA:
            lines.append(f"CREATE SCHEMA {quote_ident(o.ref.schema)};")
    for o in model.objects:
        ref = o.ref
        if ref.kind is ObjectKind.TABLE:
            cols = ", ".join(f"{quote_ident(c)} int" for c in sorted(columns.get(ref, ())) or ["id"])
            lines.append(f"CREATE TABLE {qname(ref)} ({cols});")
        elif ref.kind is ObjectKind.VIEW:
            lines.append(f"CREATE VIEW {qname(ref)} AS SELECT 1 AS id;")
        elif ref.kind is ObjectKind.SEQUENCE:
            lines.append(f"CREATE SEQUENCE {qname(ref)};")
        elif ref.kind is not ObjectKind.SCHEMA:
            raise SystemExit(f"benchmark: the DDL for {ref.kind.value} is not written yet")
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def naive_script(model: Model, target: Target) -> str:
    """The same access as the model, one statement per role, membership, owner and privilege on
    one object for one grantee: what a per-row script (Ora2Pg style, plus what it forgets) runs."""
    out = []
    for r in model.roles:
        attrs = ["LOGIN" if r.login else "NOLOGIN", "INHERIT" if r.inherit else "NOINHERIT",
                 "CREATEROLE" if r.createrole else "NOCREATEROLE", f"CONNECTION LIMIT {r.connection_limit}"]
        if r.valid_until:
            attrs.append(f"VALID UNTIL {quote_literal(r.valid_until)}")
        out.append(f"CREATE ROLE {quote_ident(r.name)} WITH {' '.join(attrs)};")
    for m in model.memberships:
        if target.membership_options:
            out.append(f"GRANT {quote_ident(m.role)} TO {quote_ident(m.member)} WITH ADMIN {m.admin}, "
                       f"INHERIT {m.inherit}, SET {m.set};".replace("True", "TRUE").replace("False", "FALSE"))
        else:
            out.append(f"GRANT {quote_ident(m.role)} TO {quote_ident(m.member)}"
                       + (" WITH ADMIN OPTION;" if m.admin else ";"))
    owner = {o.ref: o.owner for o in model.objects}
    for name in sorted({o.owner for o in model.objects if o.owner}):
        out.append(f"GRANT {quote_ident(name)} TO CURRENT_USER"
                   + (" WITH INHERIT TRUE, SET TRUE;" if target.membership_options else ";"))
    for o in model.objects:
        if o.owner and o.ref.kind is ObjectKind.SCHEMA:
            out.append(f"GRANT CREATE ON DATABASE :\"DBNAME\" TO {quote_ident(o.owner)};")
            out.append(f"ALTER SCHEMA {quote_ident(o.ref.schema)} OWNER TO {quote_ident(o.owner)};")
            out.append(f"REVOKE CREATE ON DATABASE :\"DBNAME\" FROM {quote_ident(o.owner)};")
    for o in model.objects:
        if o.owner and o.ref.kind is not ObjectKind.SCHEMA:
            out.append(f"ALTER {o.ref.kind.alter_keyword} {qname(o.ref)} OWNER TO {quote_ident(o.owner)};")
    current = None
    public = {(g.ref, g.privilege) for g in model.grants if g.grantee == PUBLIC and g.column is None}
    for g in model.grants:
        run_as = owner.get(g.ref) or owner.get(ObjectRef(ObjectKind.SCHEMA, g.ref.schema))
        if run_as != current:
            out.append("RESET ROLE;" if run_as is None else f"SET ROLE {quote_ident(run_as)};")
            current = run_as
        what = g.privilege + (f" ({quote_ident(g.column)})" if g.column else "")
        out.append(f"GRANT {what} ON {g.ref.kind.grant_keyword} {qname(g.ref)} TO {grantee_sql(g.grantee)}"
                   + (" WITH GRANT OPTION;" if g.grantable else ";"))
    for o in model.objects:
        privilege = PUBLIC_DEFAULTS.get(o.ref.kind)
        if privilege and (o.ref, privilege) not in public:
            if o.owner != current:
                out.append(f"SET ROLE {quote_ident(o.owner)};" if o.owner else "RESET ROLE;")
                current = o.owner
            out.append(f"REVOKE {privilege} ON {o.ref.kind.grant_keyword} {qname(o.ref)} FROM PUBLIC;")
    out.append("RESET ROLE;")
    return "\n".join(out) + "\n"


def sections(path: str) -> dict[str, set[str]]:
    """An access file (see run.access_file): section name -> its lines."""
    out: dict[str, set[str]] = {}
    current = None
    with open(path) as fh:
        for line in fh:
            if line.startswith("## "):
                current = out.setdefault(line[3:].strip(), set())
            elif current is not None:
                current.add(line.rstrip("\n"))
    return out


def compare(reference: str, other: str) -> list[str]:
    a, b = sections(reference), sections(other)
    problems = []
    for name in sorted(a.keys() | b.keys()):
        only_a, only_b = sorted(a.get(name, set()) - b.get(name, set())), sorted(b.get(name, set()) - a.get(name, set()))
        if only_a or only_b:
            problems.append(f"{name}: {len(only_a)} only in the reference (e.g. {only_a[:2]}), "
                            f"{len(only_b)} only here (e.g. {only_b[:2]})")
    return problems


def main(argv: list[str]) -> int:
    if argv[:1] == ["scripts"] and len(argv) == 5:
        estate, major, ddl_out, naive_out = argv[1], int(argv[2]), argv[3], argv[4]
        model = map_catalog(load_catalog(estate), MappingOptions(Target(major))).model
        Path(ddl_out).write_text(ddl(model))
        text = naive_script(model, Target(major))
        Path(naive_out).write_text(text)
        print(sum(1 for line in text.splitlines() if line and not line.startswith(("SET ROLE", "RESET ROLE"))))
        return 0
    if argv[:1] == ["compare"] and len(argv) == 3:
        problems = compare(argv[1], argv[2])
        print("\n".join(problems))
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
