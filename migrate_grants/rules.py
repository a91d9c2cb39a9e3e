"""The mapping rules, as data: what each Oracle privilege, object type and account state becomes.

Reviewers read this file to trust the tool.  mapping.py walks the catalog and looks things up here;
it holds no privilege knowledge of its own.  Each rule that is not an exact equivalent carries the
finding it produces (severity, reason, suggestion).

Sources: Oracle Database SQL Language Reference (GRANT: object privileges per object type, system
privileges), Oracle Database Reference (DBA_USERS.ACCOUNT_STATUS, DBA_ROLES.AUTHENTICATION_TYPE),
PostgreSQL documentation (GRANT, privileges, CREATE ROLE).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from .findings import Severity
from .model import ObjectKind

# --- Oracle-maintained accounts and roles (fallback when ORACLE_MAINTAINED is absent: 11g) -------

ORACLE_MAINTAINED_USERS = frozenset("""
ANONYMOUS APPQOSSYS AUDSYS CTXSYS DBSFWUSER DBSNMP DIP DVSYS DVF GGSYS GSMADMIN_INTERNAL GSMCATUSER
GSMUSER LBACSYS MDDATA MDSYS OJVMSYS OLAPSYS ORACLE_OCM ORDDATA ORDPLUGINS ORDSYS OUTLN
REMOTE_SCHEDULER_AGENT SI_INFORMTN_SCHEMA SYS SYS$UMF SYSBACKUP SYSDG SYSKM SYSRAC SYSTEM WMSYS
XDB XS$NULL MGMT_VIEW OWBSYS OWBSYS_AUDIT EXFSYS SPATIAL_CSW_ADMIN_USR SPATIAL_WFS_ADMIN_USR
PDBADMIN GSMROOTUSER DGPDB_INT
""".split())
ORACLE_MAINTAINED_USER_PATTERNS = ("APEX_*", "FLOWS_*", "SPATIAL_*")

ORACLE_MAINTAINED_ROLES = frozenset("""
CONNECT RESOURCE DBA SELECT_CATALOG_ROLE EXECUTE_CATALOG_ROLE DELETE_CATALOG_ROLE EXP_FULL_DATABASE
IMP_FULL_DATABASE DATAPUMP_EXP_FULL_DATABASE DATAPUMP_IMP_FULL_DATABASE AQ_ADMINISTRATOR_ROLE
AQ_USER_ROLE SCHEDULER_ADMIN AUDIT_ADMIN AUDIT_VIEWER CDB_DBA PDB_DBA GATHER_SYSTEM_STATISTICS
RECOVERY_CATALOG_OWNER HS_ADMIN_ROLE HS_ADMIN_SELECT_ROLE HS_ADMIN_EXECUTE_ROLE OEM_MONITOR
OEM_ADVISOR JAVAUSERPRIV JAVASYSPRIV JAVADEBUGPRIV JAVAIDPRIV JAVA_ADMIN JAVA_DEPLOY
XDBADMIN XDB_SET_INVOKER AUTHENTICATEDUSER CTXAPP OLAP_USER OLAP_DBA LOGSTDBY_ADMINISTRATOR
DBFS_ROLE GLOBAL_AQ_USER_ROLE WM_ADMIN_ROLE ADM_PARALLEL_EXECUTE_TASK CAPTURE_ADMIN
EM_EXPRESS_BASIC EM_EXPRESS_ALL SODA_APP DB_DEVELOPER_ROLE GSMADMIN_ROLE GSMUSER_ROLE
""".split())

# What the common Oracle-maintained roles hold, for snapshots that do not carry their
# DBA_SYS_PRIVS rows (Oracle Database Security Guide, "Predefined roles").
BUILTIN_ROLE_SYS_PRIVS: dict[str, tuple[str, ...]] = {
    "CONNECT": ("CREATE SESSION", "SET CONTAINER"),
    "RESOURCE": ("CREATE CLUSTER", "CREATE INDEXTYPE", "CREATE OPERATOR", "CREATE PROCEDURE",
                 "CREATE SEQUENCE", "CREATE TABLE", "CREATE TRIGGER", "CREATE TYPE"),
}


def is_oracle_maintained_user(name: str) -> bool:
    return name in ORACLE_MAINTAINED_USERS or any(fnmatch.fnmatchcase(name, p) for p in ORACLE_MAINTAINED_USER_PATTERNS)


def is_oracle_maintained_role(name: str) -> bool:
    return name in ORACLE_MAINTAINED_ROLES


# --- object types --------------------------------------------------------------------------------

# Oracle OBJECT_TYPE / DBA_TAB_PRIVS.TYPE -> PostgreSQL object kind.  None: not a migrated object
# kind; the reason says why and what to do.
@dataclass(frozen=True)
class ObjectTypeRule:
    kind: ObjectKind | None
    reason: str = ""
    suggestion: str = ""
    severity: Severity = Severity.WARNING


OBJECT_TYPE_RULES: dict[str, ObjectTypeRule] = {
    "TABLE": ObjectTypeRule(ObjectKind.TABLE),
    "VIEW": ObjectTypeRule(ObjectKind.VIEW),
    "MATERIALIZED VIEW": ObjectTypeRule(ObjectKind.MATERIALIZED_VIEW),
    "SEQUENCE": ObjectTypeRule(ObjectKind.SEQUENCE),
    "PROCEDURE": ObjectTypeRule(ObjectKind.ROUTINE),
    "FUNCTION": ObjectTypeRule(ObjectKind.ROUTINE),
    "PACKAGE": ObjectTypeRule(None, "packages have no direct PostgreSQL equivalent",
                              "Grant EXECUTE on the functions the package was converted to."),
    "PACKAGE BODY": ObjectTypeRule(None, "privileges on a package apply to its specification",
                                   "Nothing to do."),
    "TYPE": ObjectTypeRule(None, "object types are converted case by case",
                           "Grant USAGE on the converted composite type or domain."),
    "DIRECTORY": ObjectTypeRule(None, "Amazon RDS has no server file system for directories",
                                "Use the aws_s3 extension for file import/export."),
    "SYNONYM": ObjectTypeRule(None, "PostgreSQL has no synonyms",
                              "Grant on the object the synonym points to; use search_path or a view."),
    "JAVA CLASS": ObjectTypeRule(None, "PostgreSQL has no Java stored code", "Rewrite as a function."),
    "JAVA SOURCE": ObjectTypeRule(None, "PostgreSQL has no Java stored code", "Rewrite as a function."),
    "JAVA RESOURCE": ObjectTypeRule(None, "PostgreSQL has no Java stored code", "Rewrite as a function."),
    "QUEUE": ObjectTypeRule(None, "Oracle Advanced Queuing has no PostgreSQL equivalent",
                            "Use a queue table, LISTEN/NOTIFY, or Amazon SQS."),
    "EDITION": ObjectTypeRule(None, "PostgreSQL has no editions", "Nothing to do.", Severity.INFO),
    "USER": ObjectTypeRule(None, "INHERIT PRIVILEGES on users controls invoker's-rights code",
                           "PostgreSQL SECURITY INVOKER functions need no such privilege.", Severity.INFO),
}

# --- object privileges ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PrivilegeRule:
    """An Oracle object privilege on one family of object kinds -> PostgreSQL privileges.

    `pg` empty = not mapped: the finding (severity, reason, suggestion) is reported instead.
    """

    pg: tuple[str, ...]
    reason: str = ""
    suggestion: str = ""
    severity: Severity = Severity.WARNING


_OWNER_ONLY = "in PostgreSQL only the owner (or a member of the owning role) may do this"
_RELATION = (ObjectKind.TABLE, ObjectKind.VIEW, ObjectKind.MATERIALIZED_VIEW)

_RELATION_RULES: dict[str, PrivilegeRule] = {
    "SELECT": PrivilegeRule(("SELECT",)),
    # READ is SELECT without SELECT ... FOR UPDATE / LOCK TABLE; PostgreSQL's SELECT alone does not
    # allow FOR UPDATE either (it also needs UPDATE), so SELECT is exact.
    "READ": PrivilegeRule(("SELECT",)),
    "INSERT": PrivilegeRule(("INSERT",)),
    "UPDATE": PrivilegeRule(("UPDATE",)),
    "DELETE": PrivilegeRule(("DELETE",)),
    "REFERENCES": PrivilegeRule(("REFERENCES",)),
    "ALTER": PrivilegeRule((), f"PostgreSQL has no ALTER privilege: {_OWNER_ONLY}",
                           "Grant membership in the owning role to whoever must alter the table."),
    "INDEX": PrivilegeRule((), f"PostgreSQL has no INDEX privilege: {_OWNER_ONLY}",
                           "Grant membership in the owning role, or create the indexes as the owner."),
    "DEBUG": PrivilegeRule((), "PostgreSQL has no DEBUG privilege",
                           "Debug as the owner in a non-production copy.", Severity.INFO),
    "FLASHBACK": PrivilegeRule((), "PostgreSQL has no flashback query",
                               "Use temporal tables / audit triggers, or point-in-time restore on RDS."),
    "QUERY REWRITE": PrivilegeRule((), "PostgreSQL has no query rewrite with materialized views",
                                   "Query the materialized view directly.", Severity.INFO),
    "ON COMMIT REFRESH": PrivilegeRule((), "PostgreSQL has no on-commit refresh of materialized views",
                                       "Refresh with REFRESH MATERIALIZED VIEW (owner, or MAINTAIN on PostgreSQL 17+), e.g. from pg_cron."),
    "UNDER": PrivilegeRule((), "PostgreSQL has no typed view hierarchies",
                           "Use table inheritance or redesign; nothing is granted."),
    "MERGE VIEW": PrivilegeRule((), "PostgreSQL has no MERGE VIEW privilege",
                                "Nothing to do: the planner merges views without a privilege.", Severity.INFO),
    "KEEP SEQUENCE": PrivilegeRule((), "PostgreSQL has no KEEP SEQUENCE", "Nothing to do.", Severity.INFO),
}

OBJECT_PRIVILEGE_RULES: dict[ObjectKind, dict[str, PrivilegeRule]] = {
    **{kind: _RELATION_RULES for kind in _RELATION},
    ObjectKind.SEQUENCE: {
        # Oracle SELECT on a sequence = NEXTVAL and CURRVAL; PostgreSQL USAGE = nextval and
        # currval.  PostgreSQL SELECT would only allow currval.
        "SELECT": PrivilegeRule(("USAGE",)),
        "ALTER": PrivilegeRule((), f"PostgreSQL has no ALTER privilege on sequences: {_OWNER_ONLY}",
                               "Grant UPDATE (setval) if the grantee only resets values, or membership in the owning role."),
    },
    ObjectKind.ROUTINE: {
        "EXECUTE": PrivilegeRule(("EXECUTE",)),
        "DEBUG": PrivilegeRule((), "PostgreSQL has no DEBUG privilege",
                               "Debug as the owner in a non-production copy.", Severity.INFO),
    },
}

# Column privileges (DBA_COL_PRIVS): Oracle has INSERT, UPDATE, REFERENCES per column.
COLUMN_PRIVILEGE_RULES: dict[str, PrivilegeRule] = {
    "INSERT": PrivilegeRule(("INSERT",)),
    "UPDATE": PrivilegeRule(("UPDATE",)),
    "REFERENCES": PrivilegeRule(("REFERENCES",)),
    "SELECT": PrivilegeRule(("SELECT",)),
}

# --- system privileges ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SysPrivilegeRule:
    """`effect` names what mapping.py does: "login" today; None = reported only."""

    effect: str | None
    reason: str = ""
    suggestion: str = ""
    severity: Severity = Severity.WARNING


SYS_PRIVILEGE_RULES: dict[str, SysPrivilegeRule] = {
    "CREATE SESSION": SysPrivilegeRule("login"),
    "SET CONTAINER": SysPrivilegeRule(None, "PostgreSQL has no containers (CDB/PDB)",
                                      "Nothing to do: connect to the database directly.", Severity.INFO),
}
DEFAULT_SYS_PRIVILEGE_RULE = SysPrivilegeRule(
    None, "this system privilege is not mapped to PostgreSQL",
    "Review what the grantee needs and grant the PostgreSQL equivalent by hand.")

# --- accounts ------------------------------------------------------------------------------------

# ACCOUNT_STATUS is a combination of these parts ("EXPIRED & LOCKED(TIMED)"); the list is open:
# unknown parts are reported and treated as locked (never more access than Oracle).
@dataclass(frozen=True)
class StatusRule:
    can_login: bool
    reason: str = ""
    suggestion: str = ""
    severity: Severity | None = None


ACCOUNT_STATUS_RULES: dict[str, StatusRule] = {
    "OPEN": StatusRule(True),
    "LOCKED": StatusRule(False),
    # A timed lock after failed logins ends by itself (PASSWORD_LOCK_TIME): the account is usable.
    "LOCKED(TIMED)": StatusRule(True, "account is temporarily locked after failed logins; it unlocks by itself",
                                "Nothing to do.", Severity.INFO),
    "EXPIRED": StatusRule(True, "password has expired in Oracle; PostgreSQL cannot force a password change at next login",
                          "Set a new password for this role before handing it out.", Severity.INFO),
    "EXPIRED(GRACE)": StatusRule(True, "password is in its grace period in Oracle",
                                 "Set a new password for this role.", Severity.INFO),
}


def status_parts(account_status: str) -> list[str]:
    return [part.strip().upper() for part in account_status.split("&") if part.strip()]


# Authentication types that cannot log in at all (23ai schema-only accounts).
NO_LOGIN_AUTHENTICATION = frozenset({"NONE"})

# DBA_ROLES.AUTHENTICATION_TYPE values meaning "SET ROLE needs a password or a package".
GUARDED_ROLE_AUTHENTICATION = frozenset({"PASSWORD", "APPLICATION", "EXTERNAL", "GLOBAL"})
