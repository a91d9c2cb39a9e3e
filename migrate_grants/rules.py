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
import functools
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


@functools.cache  # asked once per grant row; an estate has few distinct names
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
    # Packages are mapped by the configured naming convention (config.package_naming), see mapping.
    "PACKAGE": ObjectTypeRule(None, "packages have no direct PostgreSQL equivalent",
                              "Grant EXECUTE on the functions the package was converted to."),
    "PACKAGE BODY": ObjectTypeRule(None, "privileges on a package apply to its specification",
                                   "Nothing to do."),
    "TYPE": ObjectTypeRule(ObjectKind.TYPE),
    "TYPE BODY": ObjectTypeRule(None, "privileges on a type apply to its specification", "Nothing to do.",
                                Severity.INFO),
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
    ObjectKind.TYPE: {
        # EXECUTE on an object type = use it (and its methods): USAGE on the composite type.
        "EXECUTE": PrivilegeRule(("USAGE",)),
        "DEBUG": PrivilegeRule((), "PostgreSQL has no DEBUG privilege", "Nothing to do.", Severity.INFO),
        "UNDER": PrivilegeRule((), "PostgreSQL has no object type inheritance",
                               "Redesign subtypes as separate composite types or tables."),
    },
}

# EXECUTE on a package -> EXECUTE on the routines it was converted to (config.package_naming).
PACKAGE_PRIVILEGE_RULES: dict[str, PrivilegeRule] = {
    "EXECUTE": PrivilegeRule(("EXECUTE",)),
    "DEBUG": PrivilegeRule((), "PostgreSQL has no DEBUG privilege", "Nothing to do.", Severity.INFO),
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
    """What a system privilege becomes.  `effect` is one of the EFFECTS mapping.py implements;
    None = not mapped: the finding (severity, reason, suggestion: the nearest PostgreSQL practice).
    `arg` parameterizes the effect (e.g. the table privilege of INSERT ANY TABLE)."""

    effect: str | None
    arg: str = ""
    reason: str = ""
    suggestion: str = ""
    severity: Severity = Severity.WARNING


EFFECTS = {
    "login": "LOGIN attribute for users holding it at login (directly, via PUBLIC or a default role)",
    "createrole": "CREATEROLE attribute for users holding it at login (wider: also creates and grants roles)",
    "schema-create": "CREATE on the user's own schema (wider: any object kind, not just the one named)",
    "any-table": "arg on every table/view of the migrated schemas (per-schema), or pg_read_all_data / pg_write_all_data",
    "any-sequence": "USAGE on every sequence of the migrated schemas",
    "any-routine": "EXECUTE on every routine of the migrated schemas",
    "dictionary": "membership in pg_read_all_stats and pg_read_all_settings (or pg_monitor)",
}

_NOT_IN_PG = "PostgreSQL has no such privilege"
_ANY = "PostgreSQL has no ANY privileges across schemas"

SYS_PRIVILEGE_RULES: dict[str, SysPrivilegeRule] = {
    "CREATE SESSION": SysPrivilegeRule("login"),
    **{p: SysPrivilegeRule("createrole") for p in (
        "CREATE USER", "ALTER USER", "DROP USER", "CREATE ROLE", "ALTER ANY ROLE", "DROP ANY ROLE", "GRANT ANY ROLE")},
    **{p: SysPrivilegeRule("schema-create") for p in (
        "CREATE TABLE", "CREATE VIEW", "CREATE SEQUENCE", "CREATE PROCEDURE", "CREATE TYPE", "CREATE TRIGGER",
        "CREATE SYNONYM", "CREATE MATERIALIZED VIEW")},
    "SELECT ANY TABLE": SysPrivilegeRule("any-table", "SELECT"),
    "READ ANY TABLE": SysPrivilegeRule("any-table", "SELECT"),
    "INSERT ANY TABLE": SysPrivilegeRule("any-table", "INSERT"),
    "UPDATE ANY TABLE": SysPrivilegeRule("any-table", "UPDATE"),
    "DELETE ANY TABLE": SysPrivilegeRule("any-table", "DELETE"),
    "SELECT ANY SEQUENCE": SysPrivilegeRule("any-sequence", "USAGE"),
    "EXECUTE ANY PROCEDURE": SysPrivilegeRule("any-routine", "EXECUTE"),
    "SELECT ANY DICTIONARY": SysPrivilegeRule("dictionary"),
    # --- not mapped: the nearest PostgreSQL practice ---
    "SET CONTAINER": SysPrivilegeRule(None, "", "PostgreSQL has no containers (CDB/PDB)",
                                      "Nothing to do: connect to the database directly.", Severity.INFO),
    "UNLIMITED TABLESPACE": SysPrivilegeRule(None, "", "PostgreSQL has no tablespace quotas",
                                             "Nothing to do; watch storage with CloudWatch on RDS.", Severity.INFO),
    "ALTER SESSION": SysPrivilegeRule(None, "", "any PostgreSQL role may SET its own session parameters",
                                      "Nothing to do.", Severity.INFO),
    "CREATE CLUSTER": SysPrivilegeRule(None, "", "PostgreSQL has no table clusters", "Nothing to do.", Severity.INFO),
    "CREATE INDEXTYPE": SysPrivilegeRule(None, "", "PostgreSQL index access methods need a superuser",
                                         "Nothing to do for application schemas.", Severity.INFO),
    "CREATE OPERATOR": SysPrivilegeRule(None, "", "operators are created with CREATE on the schema",
                                        "Covered by CREATE on the user's schema.", Severity.INFO),
    "CREATE DATABASE LINK": SysPrivilegeRule(None, "", "PostgreSQL has no database links",
                                             "Use the postgres_fdw or dblink extension and grant USAGE on the foreign server."),
    "CREATE PUBLIC DATABASE LINK": SysPrivilegeRule(None, "", "PostgreSQL has no database links",
                                                    "Use postgres_fdw with a foreign server and user mappings."),
    "CREATE ANY TABLE": SysPrivilegeRule(None, "", _ANY, "Grant CREATE on the specific schemas the user must create in."),
    "CREATE ANY VIEW": SysPrivilegeRule(None, "", _ANY, "Grant CREATE on the specific schemas."),
    "CREATE ANY SEQUENCE": SysPrivilegeRule(None, "", _ANY, "Grant CREATE on the specific schemas."),
    "CREATE ANY PROCEDURE": SysPrivilegeRule(None, "", _ANY, "Grant CREATE on the specific schemas."),
    "CREATE ANY INDEX": SysPrivilegeRule(None, "", f"{_ANY}; indexes are created by the table owner",
                                         "Grant membership in the owning role."),
    "ALTER ANY TABLE": SysPrivilegeRule(None, "", f"{_ANY}; only owners alter tables", "Grant membership in the owning roles."),
    "DROP ANY TABLE": SysPrivilegeRule(None, "", f"{_ANY}; only owners drop tables", "Grant membership in the owning roles."),
    "LOCK ANY TABLE": SysPrivilegeRule(None, "", _ANY, "Grant UPDATE/DELETE/TRUNCATE on the tables that must be locked."),
    "FLASHBACK ANY TABLE": SysPrivilegeRule(None, "", "PostgreSQL has no flashback query",
                                            "Use point-in-time restore on RDS, or audit/temporal tables."),
    "GRANT ANY OBJECT PRIVILEGE": SysPrivilegeRule(None, "", _ANY, "Grant membership in the owning roles, or WITH GRANT OPTION."),
    "GRANT ANY PRIVILEGE": SysPrivilegeRule(None, "", _ANY, "Grant rds_superuser membership only if truly needed."),
    "AUDIT ANY": SysPrivilegeRule(None, "", "PostgreSQL has no AUDIT statement",
                                  "Use the pgaudit extension (supported on RDS) with pgaudit.role."),
    "AUDIT SYSTEM": SysPrivilegeRule(None, "", "PostgreSQL has no AUDIT statement",
                                     "Use the pgaudit extension (supported on RDS), configured in the parameter group."),
    "ALTER SYSTEM": SysPrivilegeRule(None, "", "RDS has no ALTER SYSTEM for users",
                                     "Change settings in the RDS DB parameter group."),
    "ALTER DATABASE": SysPrivilegeRule(None, "", "database settings on RDS are changed by the master or parameter groups",
                                       "Use the master user or the RDS parameter group."),
    "CREATE JOB": SysPrivilegeRule(None, "", "PostgreSQL has no job scheduler built in",
                                   "Use the pg_cron extension (supported on RDS) and grant USAGE on schema cron."),
    "CREATE EXTERNAL JOB": SysPrivilegeRule(None, "", "PostgreSQL cannot run OS jobs; RDS has no host access",
                                            "Use AWS Lambda or EventBridge."),
    "MANAGE SCHEDULER": SysPrivilegeRule(None, "", "PostgreSQL has no job scheduler built in", "Use pg_cron."),
    "CREATE TABLESPACE": SysPrivilegeRule(None, "", "RDS manages storage; tablespaces need a superuser",
                                          "Nothing to do on RDS."),
    "RESTRICTED SESSION": SysPrivilegeRule(None, "", _NOT_IN_PG, "Use CONNECT privilege on the database and pg_hba rules."),
    "BECOME USER": SysPrivilegeRule(None, "", _NOT_IN_PG, "Grant membership WITH SET in the roles to impersonate."),
    "EXEMPT ACCESS POLICY": SysPrivilegeRule(None, "", "row-level security bypass is the BYPASSRLS attribute",
                                             "ALTER ROLE ... BYPASSRLS if row-level security policies are migrated."),
    "DEBUG CONNECT SESSION": SysPrivilegeRule(None, "", _NOT_IN_PG, "Debug in a non-production copy.", Severity.INFO),
    "SYSDBA": SysPrivilegeRule(None, "", "RDS has no SYSDBA", "Use the RDS master user."),
    "SYSOPER": SysPrivilegeRule(None, "", "RDS has no SYSOPER", "Use the RDS console and API."),
}
DEFAULT_SYS_PRIVILEGE_RULE = SysPrivilegeRule(
    None, "", "this system privilege has no PostgreSQL equivalent",
    "Review what the grantee needs and grant the PostgreSQL equivalent by hand.")

# Oracle-maintained roles with a PostgreSQL counterpart.  `when` = which option enables the rule
# (None: always).  Anything else such a role holds is expanded through SYS_PRIVILEGE_RULES.
@dataclass(frozen=True)
class OracleRoleRule:
    pg_roles: tuple[str, ...]
    reason: str
    severity: Severity
    when: str | None = None


ORACLE_ROLE_RULES: dict[str, OracleRoleRule] = {
    "SELECT_CATALOG_ROLE": OracleRoleRule(("pg_read_all_stats", "pg_read_all_settings"),
                                          "read access to the data dictionary", Severity.INFO),
    "DBA": OracleRoleRule(("rds_superuser",), "full administration; on RDS the closest is rds_superuser",
                          Severity.WARNING, when="map_dba"),
}

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
    # Expired passwords: PostgreSQL cannot force a change at next login; VALID UNTIL (from
    # EXPIRY_DATE) makes password login fail after that time, as close as PostgreSQL gets.
    "EXPIRED": StatusRule(True, "password has expired in Oracle; PostgreSQL cannot force a password change at next login",
                          "Set a new password (and VALID UNTIL) for this role before handing it out.", Severity.INFO),
    "EXPIRED(GRACE)": StatusRule(True, "password is in its grace period in Oracle; VALID UNTIL is the end of the grace period",
                                 "Set a new password for this role.", Severity.INFO),
}


def status_parts(account_status: str) -> list[str]:
    return [part.strip().upper() for part in account_status.split("&") if part.strip()]


# Authentication types that cannot log in at all (23ai schema-only accounts).
NO_LOGIN_AUTHENTICATION = frozenset({"NONE"})

# Authentication done outside the database: the nearest RDS practice.
EXTERNAL_AUTHENTICATION = {
    "EXTERNAL": ("authenticated by the operating system or Kerberos (IDENTIFIED EXTERNALLY)",
                 "Use IAM database authentication (--passwords iam grants rds_iam) or Kerberos with AWS Directory Service."),
    "GLOBAL": ("authenticated by a directory service (IDENTIFIED GLOBALLY)",
               "Use Kerberos authentication with AWS Directory Service, or IAM database authentication."),
}

# DBA_PROFILES: only SESSIONS_PER_USER has a PostgreSQL counterpart (CONNECTION LIMIT, per role).
PROFILE_RESOURCE_SUGGESTIONS = {
    "FAILED_LOGIN_ATTEMPTS": "RDS has no account lockout: use IAM authentication or an external identity provider.",
    "PASSWORD_LIFE_TIME": "Set VALID UNTIL when passwords are rotated (e.g. by AWS Secrets Manager rotation).",
    "PASSWORD_REUSE_TIME": "Not available; AWS Secrets Manager rotation avoids reuse.",
    "PASSWORD_REUSE_MAX": "Not available; AWS Secrets Manager rotation avoids reuse.",
    "PASSWORD_VERIFY_FUNCTION": "Use the passwordcheck module where available, or generated passwords.",
    "PASSWORD_LOCK_TIME": "RDS has no account lockout.",
    "PASSWORD_GRACE_TIME": "Not available.",
    "PASSWORD_ROLLOVER_TIME": "Not available.",
    "INACTIVE_ACCOUNT_TIME": "Not available; review pg_stat_activity / logs for unused roles.",
    "IDLE_TIME": "Set idle_session_timeout (PostgreSQL 14+) for the role: ALTER ROLE ... SET idle_session_timeout.",
    "CONNECT_TIME": "Not available; use idle_session_timeout or a connection pooler.",
    "CPU_PER_SESSION": "Not available; statement_timeout limits runaway statements.",
    "CPU_PER_CALL": "Use statement_timeout per role: ALTER ROLE ... SET statement_timeout.",
    "LOGICAL_READS_PER_SESSION": "Not available.",
    "LOGICAL_READS_PER_CALL": "Not available.",
    "PRIVATE_SGA": "Not available; set work_mem per role if needed.",
    "COMPOSITE_LIMIT": "Not available.",
}

# DBA_ROLES.AUTHENTICATION_TYPE values meaning "SET ROLE needs a password or a package".
GUARDED_ROLE_AUTHENTICATION = frozenset({"PASSWORD", "APPLICATION", "EXTERNAL", "GLOBAL"})
