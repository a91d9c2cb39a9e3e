"""The Jinja environment over sql_templates/: one template per statement kind.

Templates never paste names: every identifier goes through the `ident` / `qname` / `grantee`
filters (naming.quote_ident) and every literal through `literal` (naming.quote_literal).
"""

from __future__ import annotations

import functools

import jinja2

from .model import PUBLIC, ObjectKind, ObjectRef
from .naming import quote_ident, quote_literal
from .sql_files import templates_dir


def qname(ref: ObjectRef) -> str:
    if ref.kind is ObjectKind.SCHEMA:
        return quote_ident(ref.schema)
    return quote_ident(ref.schema) + "." + quote_ident(ref.name)


def grantee(name: str) -> str:
    return "PUBLIC" if name == PUBLIC else quote_ident(name)


# List filters: one call per list instead of a template loop per name (statements name up to
# thousands of objects and grantees).
def qname_list(refs) -> str:
    return ", ".join(map(qname, refs))


def grantee_list(names) -> str:
    return ", ".join(map(grantee, names))


def ident_list(names) -> str:
    return ", ".join(map(quote_ident, names))


def comment(text: str) -> str:
    """Text for a `--` comment: a name with a line break must not end the comment."""
    return " ".join(str(text).split())


def dollar_quote(body: str) -> str:
    """Wrap a DO body in a dollar quote whose tag does not occur in the body."""
    tag, n = "$mg$", 0
    while tag in body:
        n += 1
        tag = f"$mg{n}$"
    return f"{tag}\n{body.strip()}\n{tag}"


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=False,  # SQL, not HTML: quoting is done by the filters below
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are package data: no stat() of the file on every statement
    )
    env.filters.update(ident=quote_ident, literal=quote_literal, qname=qname, grantee=grantee,
                       comment=comment, dollar_quote=dollar_quote, qname_list=qname_list,
                       grantee_list=grantee_list, ident_list=ident_list)
    return env


def render_statement(name: str, **params) -> str:
    """Render sql_templates/postgres/<name>.sql.j2; returns SQL without a trailing newline."""
    return environment().get_template(f"postgres/{name}.sql.j2").render(**params).strip()


@functools.cache
def statement_macro(name: str, macro: str | None = None):
    """The macro `name` (or `macro`) defined in sql_templates/postgres/<name>.sql.j2 (grant, revoke,
    object_owner, create_role; grant.sql.j2's `grants` renders many statements in one call).

    Calling it gives the same SQL as render_statement(name, ...) with the same arguments, without
    a template render's setup (a new context per call): the planner emits one statement per
    call, and a large estate has hundreds of thousands of them."""
    return getattr(environment().get_template(f"postgres/{name}.sql.j2").module, macro or name)
