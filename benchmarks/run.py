#!/usr/bin/env python3
"""Benchmark migrate-grants on synthetic Oracle estates, side by side with the naive script.

    python benchmarks/run.py                     # 125k, 250k, 500k and 1M grants (about 30 minutes)
    python benchmarks/run.py --sizes 125k,1m     # some sizes
    python benchmarks/run.py --sizes 1m --steps render
    python benchmarks/run.py --ci                # a tiny estate, to keep this script working (CI)

For each size (benchmarks/generate.py, seeded; estates are cached in --workdir):

  render   `migrate-grants render` (compact, the default, and --style per-object): seconds and
           peak memory of the process.
  apply    on a fresh throwaway cluster per method (tests/pgcluster.py: RDS-like, run as the
           non-superuser `master`, the estate's schemas and tables created by master first; with
           PostgreSQL's durable defaults, fsync and synchronous_commit on, as RDS commits):
             naive     one GRANT per privilege, object and grantee (what a per-row script does),
                       with the same roles, memberships and ownership, psql in autocommit
             naive-tx  the same in one transaction (psql -1)
             script    the rendered script (compact), psql
             apply     `migrate-grants apply --source ESTATE --target URL`
           then the access each leaves (aclexplode() of every relation, column, schema and the
           database, owners, role attributes, memberships) must be identical: exit code 1 if not.
  inspect  `migrate-grants inspect` of the applied target, and the inspector alone (in-process);
           once per run also the issue's shape: 20,000 tables with 280,000 ACL entries, timed
           with the catalogs vacuumed and analyzed (as autovacuum leaves them), and right after
           the build.
  diff     two models of the estate's size (mapped desired vs inspected actual), with the cluster
           stopped: diff() alone, and `migrate-grants diff DESIRED.json ACTUAL.json` (median of
           three), which reads the smaller file in a forked child meanwhile: the child's peak
           memory is measured apart (wait4 reports the larger).

Every step runs in its own process: seconds are wall clock, memory is that process's peak RSS
(os.wait4; this process stays small, since a child's peak counts its parent's memory at the fork).
The machine should be otherwise idle.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import subprocess
import tempfile
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))  # the throwaway-cluster harness is a plain module
sys.path.insert(0, str(ROOT))

import pgcluster  # noqa: E402
from migrate_grants.model_files import PARALLEL_FROM_BYTES  # noqa: E402

T = TypeVar("T")

# This process never loads an estate (benchmarks/naive.py does, as a child): the peak memory of a
# child counts the memory of the process that forked it.

# name -> benchmarks/generate.py arguments.  Each size is the 1M estate scaled down: users,
# roles, schemas and column grants (2% of the object grants) grow with the grants, so every size has
# the same mix.  (Until 2026-11-28 every size had 20,000 column grants: 16% of the 125k estate, whose
# figures are therefore not comparable with earlier runs.)
SIZES = {
    "125k": dict(grants=125_000, users=625, roles=63, schemas=7, column_grants=2_500),
    "250k": dict(grants=250_000, users=1250, roles=125, schemas=13, column_grants=5_000),
    "500k": dict(grants=500_000, users=2500, roles=250, schemas=25, column_grants=10_000),
    "1m": dict(grants=1_000_000, users=5000, roles=500, schemas=50, column_grants=20_000),
    "ci": dict(grants=3000, users=40, roles=8, schemas=3, tables=25, column_grants=100),
}
DEFAULTS = dict(tables=400, seed=42)
METHODS = ("naive", "naive-tx", "script", "apply")


# --- measuring ------------------------------------------------------------------------------

@dataclass
class Run:
    seconds: float
    cpu: float  # user + system seconds of the process
    peak_mb: float
    stdout: str = ""
    stderr: str = ""


def measure(cmd: list[str], *, env: dict | None = None) -> Run:
    """Run `cmd` for its output (setup steps, helpers): wall time only."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        _fail(cmd, proc.returncode, proc.stderr)
    return Run(time.perf_counter() - started, 0.0, 0.0, proc.stdout, proc.stderr)


def measure_rusage(cmd: list[str], *, env: dict | None = None, stdout_file: Path | None = None) -> Run:
    """Run `cmd` (stdout to a file or discarded); wall time, CPU time and peak RSS via wait4."""
    err_file = tempfile.TemporaryFile("w+")
    out = open(stdout_file, "w") if stdout_file else open(os.devnull, "w")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=err_file, env=env, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.close()
    err_file.seek(0)
    stderr = err_file.read()
    err_file.close()
    if proc.returncode != 0:
        _fail(cmd, proc.returncode, stderr)
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, "", stderr)


def _fail(cmd: list[str], code: int, stderr: str):
    shown = " ".join(cmd)
    raise SystemExit(f"benchmark: command failed (exit {code}): {shown}\n{stderr[-3000:]}")


def tool(*args: str) -> list[str]:
    return [sys.executable, "-m", "migrate_grants", *args]


# --- estates and targets --------------------------------------------------------------------

def estate(workdir: Path, name: str) -> Path:
    params = {**DEFAULTS, **SIZES[name]}
    path = workdir / f"estate_{name}_{params['seed']}.json"
    stamp = path.with_suffix(".params")
    if not (path.exists() and stamp.exists() and json.loads(stamp.read_text()) == params):
        args = [f"--{k.replace('_', '-')}={v}" for k, v in params.items()]
        measure([sys.executable, str(HERE / "generate.py"), *args, "-o", str(path)])
        stamp.write_text(json.dumps(params))
    return path


# What "the same access" means: compared by name across clusters (OIDs differ).
ACCESS_QUERIES = {
    "roles": """SELECT rolname, rolcanlogin, rolinherit, rolcreaterole, rolcreatedb, rolconnlimit, rolvaliduntil::text
                FROM pg_roles WHERE rolname !~ '^(pg_|rds)' AND rolname NOT IN ('postgres', 'master')""",
    "memberships": """SELECT r.rolname, m.rolname, g.rolname, to_jsonb(a) - 'oid' - 'roleid' - 'member' - 'grantor'
                      FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
                      JOIN pg_roles g ON g.oid = a.grantor""",
    "database": """SELECT e.grantor::regrole::text, e.grantee::regrole::text, e.privilege_type, e.is_grantable
                   FROM pg_database d, aclexplode(COALESCE(d.datacl, acldefault('d', d.datdba))) e
                   WHERE d.datname = current_database()""",
    "schemas": """SELECT n.nspname, n.nspowner::regrole::text, e.grantor::regrole::text, e.grantee::regrole::text,
                         e.privilege_type, e.is_grantable
                  FROM pg_namespace n LEFT JOIN LATERAL aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) e ON true
                  WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'""",
    "relations": """SELECT n.nspname, c.relname, c.relkind::text, c.relowner::regrole::text, e.grantor::regrole::text,
                           e.grantee::regrole::text, e.privilege_type, e.is_grantable
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    LEFT JOIN LATERAL aclexplode(COALESCE(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's'
                                                 ELSE 'r' END::"char", c.relowner))) e ON true
                    WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND c.relkind IN ('r','p','v','m','f','S')""",
    "columns": """SELECT n.nspname, c.relname, a.attname, e.grantor::regrole::text, e.grantee::regrole::text,
                         e.privilege_type, e.is_grantable
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                  CROSS JOIN LATERAL aclexplode(a.attacl) e
                  WHERE a.attacl IS NOT NULL AND n.nspname !~ '^pg_'""",
    "routines": """SELECT p.oid::regprocedure::text, p.proowner::regrole::text, e.grantor::regrole::text,
                          e.grantee::regrole::text, e.privilege_type, e.is_grantable
                   FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   LEFT JOIN LATERAL aclexplode(COALESCE(p.proacl, acldefault('f', p.proowner))) e ON true
                   WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'""",
}


def access_file(cluster, dsn: str, path: Path) -> Path:
    """The access a database holds (ACCESS_QUERIES), sorted, one section per query, into `path`."""
    lines = []
    for name, q in ACCESS_QUERIES.items():
        flat = " ".join(q.split())  # one line: psql runs a COPY from its own line
        lines += [f"\\qecho '## {name}'", f"COPY (SELECT * FROM ({flat}) q ORDER BY q) TO STDOUT;"]
    sql = path.with_suffix(".sql")
    sql.write_text("\n".join(lines) + "\n")
    measure([cluster.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", str(sql), "-o", str(path)],
            env=cluster.client_env())
    return path


def acl_counts(conn) -> tuple[int, int, int]:
    """(relations, ACL items on them, privileges = aclexplode rows) in the non-system schemas."""
    return conn.execute("""
        SELECT count(*), coalesce(sum(cardinality(c.relacl)), 0),
               (SELECT count(*) FROM pg_class c2 JOIN pg_namespace n2 ON n2.oid = c2.relnamespace,
                       aclexplode(c2.relacl) WHERE n2.nspname !~ '^pg_' AND n2.nspname <> 'information_schema')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND c.relkind IN ('r','p','v','m','f','S')
        """).fetchone()


def compare(reference: Path, other: Path) -> list[str]:
    """Differences between two access files (none if they are byte for byte equal)."""
    if reference.read_bytes() == other.read_bytes():
        return []
    proc = subprocess.run([sys.executable, str(HERE / "naive.py"), "compare", str(reference), str(other)],
                          capture_output=True, text=True, env=_env())
    return proc.stdout.splitlines() or [f"the access files differ: {reference} {other}"]


# --- one size -------------------------------------------------------------------------------

@dataclass
class Result:
    name: str
    grants: int = 0
    render: dict = field(default_factory=dict)  # style -> Run
    statements: dict = field(default_factory=dict)  # method -> statements in its script
    apply: dict = field(default_factory=dict)  # method -> Run
    access_ok: bool | None = None
    problems: list = field(default_factory=list)
    acl: tuple = ()
    inspect: dict = field(default_factory=dict)
    diff: dict = field(default_factory=dict)


def run_size(name: str, args, install) -> Result:
    res = Result(name)
    work = args.workdir
    path = estate(work, name)
    res.grants = SIZES[name]["grants"]
    major = install.major
    log(f"[{name}] estate {path} ({res.grants} object grants)")

    if "render" in args.steps or "apply" in args.steps:
        for style in ("compact", "per-object"):
            out = work / f"script_{name}_{style}.sql"
            res.render[style] = measure_rusage(tool("render", "--source", str(path), "--target-version", str(major),
                                                    "--style", style, "-o", str(out)), env=_env())
            res.statements[style] = count_statements(out)
            log(f"[{name}] render --style {style}: {res.render[style].seconds:.2f} s, "
                f"{res.render[style].peak_mb:.0f} MB peak, {res.statements[style]} statements")

    if "apply" in args.steps:
        t0 = time.perf_counter()
        naive = work / f"naive_{name}.sql"
        measure([sys.executable, str(HERE / "naive.py"), "scripts", str(path), str(major),
                 str(work / f"ddl_{name}.sql"), str(naive)], env=_env())
        res.statements["naive"] = count_statements(naive)
        log(f"[{name}] naive script: {res.statements['naive']} statements (prepared in "
            f"{time.perf_counter() - t0:.1f} s, not measured)")
        results = {}
        for method in args.methods:
            run, acc, extra = apply_method(method, name, path, install, args)
            res.apply[method] = run
            results[method] = acc
            log(f"[{name}] {method}: {run.seconds:.2f} s ({run.peak_mb:.0f} MB peak, that process)")
            if extra:
                res.acl, res.inspect, res.diff = extra.get("acl", ()), extra.get("inspect", {}), extra.get("diff", {})
        reference_method = args.methods[0]
        res.access_ok = True
        for method, acc in results.items():
            problems = compare(results[reference_method], acc)
            if problems:
                res.access_ok = False
                res.problems += [f"{method} vs {reference_method}: {p}" for p in problems]
        log(f"[{name}] access identical across {', '.join(results)}: {res.access_ok}")
    return res


def count_statements(path: Path) -> int:
    """Statements in a script we wrote (one per line start that is not a comment or block body)."""
    starts = ("GRANT", "REVOKE", "ALTER", "CREATE", "DO", "SET ROLE", "RESET")
    with open(path) as fh:
        return sum(1 for line in fh if line.startswith(starts))


def apply_method(method: str, name: str, path: Path, install, args):
    """A fresh cluster and target, the DDL as master, then `method`; its Run and the access left."""
    work = args.workdir
    with pgcluster.Cluster(install, settings=args.settings) as cluster:
        target = pgcluster.build_rds_like_target(cluster, "bench")
        env = cluster.client_env()
        psql = [cluster.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", target.master_dsn]
        measure(psql + ["-f", str(work / f"ddl_{name}.sql")], env=env)
        url = f"postgresql://{pgcluster.MASTER}@/{target.dbname}?host={cluster.host}&port={cluster.port}"
        if method == "naive":
            run = measure_rusage(psql + ["-v", f"DBNAME={target.dbname}", "-f", str(work / f"naive_{name}.sql")], env=env)
        elif method == "naive-tx":
            run = measure_rusage(psql + ["-1", "-v", f"DBNAME={target.dbname}", "-f", str(work / f"naive_{name}.sql")],
                                 env=env)
        elif method == "script":
            run = measure_rusage(psql + ["-f", str(work / f"script_{name}_compact.sql")], env=env)
        else:
            run = measure_rusage(tool("apply", "--source", str(path), "--target", url), env=_env(env))
        acc = access_file(cluster, target.superuser_dsn, work / f"access_{name}_{method}.txt")
        with target.superuser_conn() as conn:
            extra = {}
            if method == "apply":
                extra["acl"] = acl_counts(conn)
                if "inspect" in args.steps:
                    extra["inspect"] = measure_inspect(url, name, env, work)
    # Two model files need no server: diffed once the cluster is stopped.  With the cluster of a 1M
    # apply still up, the same diff measured 1.2 s slower (medians 5.17 s and 3.92 s in one run),
    # though its processes used no CPU meanwhile; the cause was not found.
    if method == "apply" and "diff" in args.steps:
        extra["diff"] = measure_diff(path, name, install.major, work)
    return run, acc, extra


def _env(base: dict | None = None) -> dict:
    """The environment for a migrate_grants process: this checkout first on the path."""
    return {**(os.environ if base is None else base), "PYTHONPATH": str(ROOT)}


def measure_inspect(url: str, name: str, env: dict, work: Path) -> dict:
    out = work / f"actual_{name}.json"
    cli = measure_rusage(tool("inspect", url, "-o", str(out)), env=_env(env))
    code = ("import sys, json; from migrate_grants.postgres.inspect import inspect_url; "
            "i = inspect_url(sys.argv[1]); print(json.dumps({'seconds': i.elapsed, 'grants': len(i.model.grants), "
            "'objects': len(i.model.objects), 'counts': dict(i.counts)}))")
    alone = measure([sys.executable, "-c", code, url], env=_env(env))
    info = json.loads(alone.stdout)
    log(f"[{name}] inspect: `migrate-grants inspect` {cli.seconds:.2f} s ({cli.peak_mb:.0f} MB); "
        f"inspector alone {info['seconds']:.2f} s, {info['grants']} grants on {info['objects']} objects")
    return {"cli": cli, "alone": info["seconds"], "grants": info["grants"]}


def inspect_shape(install, args) -> dict:
    """The shape the issue names: 20,000 tables (50 schemas x 400) with 280,000 ACL entries (the
    owner's and 13 roles' with SELECT on every table), created as master; then the inspector alone
    and the CLI."""
    with pgcluster.Cluster(install, settings=args.settings) as cluster:
        target = pgcluster.build_rds_like_target(cluster, "inspect")
        roles = [f"reader{i:02d}" for i in range(13)]
        lines = ["BEGIN;"] + [f"CREATE ROLE {r};" for r in roles]
        for s in range(50):
            lines.append(f"CREATE SCHEMA s{s:02d};")
            lines += [f"CREATE TABLE s{s:02d}.t{t:03d} (id int);" for t in range(400)]
            lines.append(f"GRANT SELECT ON ALL TABLES IN SCHEMA s{s:02d} TO {', '.join(roles)};")
        lines.append("COMMIT;")
        ddl_file = args.workdir / "inspect_shape.sql"
        ddl_file.write_text("\n".join(lines) + "\n")
        env = cluster.client_env()
        measure([cluster.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", target.master_dsn, "-f", str(ddl_file)], env=env)
        url = f"postgresql://{pgcluster.MASTER}@/{target.dbname}?host={cluster.host}&port={cluster.port}"
        with target.superuser_conn() as conn:
            acl = acl_counts(conn)
        # Right after the build the catalogs' statistics still describe an empty database, and the
        # planner picks plans for a few rows (pg_class by index, a sort of 260,000 rows on disk):
        # timed once like that, then after VACUUM (ANALYZE) of the catalogs, which autovacuum runs
        # within a minute or so: the state a production database is in.
        # (One uncontrolled sample: autovacuum may already have analyzed some catalogs by then.)
        first = measure_rusage(tool("inspect", url, "-o", os.devnull), env=_env(env))
        log(f"[20k tables] inspect: the first run, right after the build: {first.seconds:.2f} s")
        with target.superuser_conn() as conn:
            conn.execute("VACUUM (ANALYZE) pg_catalog.pg_class, pg_catalog.pg_type, pg_catalog.pg_attribute, "
                         "pg_catalog.pg_namespace, pg_catalog.pg_proc, pg_catalog.pg_depend")
        runs = three_runs(lambda: measure_inspect(url, "20k tables", env, args.workdir),
                          lambda info: info["cli"].seconds)
        return {"acl": acl, "first": first, **runs[1], "cli_runs": [info["cli"].seconds for info in runs],
                "alone_runs": sorted(info["alone"] for info in runs)}


def three_runs(measure_once: Callable[[], T], seconds: Callable[[T], float]) -> list[T]:
    """Three samples, fastest first: [1] is the median reported (a single sample on this kind of
    shared machine can be off by a third)."""
    return sorted((measure_once() for _ in range(3)), key=seconds)


def measure_diff(path: Path, name: str, major: int, work: Path) -> dict:
    desired = work / f"desired_{name}.json"
    actual = work / f"actual_{name}.json"
    measure(tool("model", "--source", str(path), "--target-version", str(major), "-o", str(desired)), env=_env())
    code = ("import sys, json, time; from migrate_grants.cli_live import _read_model_file; "
            "from migrate_grants.diff import diff; a = _read_model_file(sys.argv[1]); b = _read_model_file(sys.argv[2]); "
            "t = time.perf_counter(); d = diff(a, b); "
            "print(json.dumps({'seconds': time.perf_counter() - t, 'left': len(a.grants), 'right': len(b.grants), "
            "'differences': d.total}))")
    alone = json.loads(measure([sys.executable, "-c", code, str(desired), str(actual)], env=_env()).stdout)
    runs = three_runs(lambda: measure_rusage(tool("diff", str(desired), str(actual)), env=_env()),
                      lambda run: run.seconds)
    cli = runs[1]
    # Two large files are read at once, the smaller in a forked child (model_files.py), whose peak
    # wait4 does not add to the parent's: measured apart, doing what the child does.
    smaller = min((desired, actual), key=lambda p: p.stat().st_size)
    child_mb = None
    if hasattr(os, "fork") and smaller.stat().st_size >= PARALLEL_FROM_BYTES:
        child_mb = measure_rusage([sys.executable, "-c", "import sys, marshal; from migrate_grants import model_files "
                                   "as f; marshal.dumps(f._to_wire(f.load_model_file(sys.argv[1])))", str(smaller)],
                                  env=_env()).peak_mb
    read = "one after the other" if child_mb is None else f"at once, {child_mb:.0f} MB in the child reading {smaller.name}"
    log(f"[{name}] diff: diff() alone {alone['seconds']:.2f} s ({alone['left']} vs {alone['right']} grants, "
        f"{alone['differences']} differences); `migrate-grants diff` of the two model files {cli.seconds:.2f} s, "
        f"median of {', '.join(f'{run.seconds:.2f}' for run in runs)} ({cli.peak_mb:.0f} MB; files read {read})")
    return {"alone": alone["seconds"], "cli": cli, "cli_runs": [run.seconds for run in runs],
            "grants": (alone["left"], alone["right"]), "differences": alone["differences"], "child_mb": child_mb}


# --- report ---------------------------------------------------------------------------------

def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def report(results: list[Result], install, args, shape: dict | None = None) -> str:
    durable = ("durable commits" if args.settings["fsync"] == "on" else "fsync and synchronous_commit off")
    durable += f", max_locks_per_transaction {args.settings['max_locks_per_transaction']}"
    lines = [f"migrate-grants benchmark: PostgreSQL {install.major} ({install.bindir}; {durable}), "
             f"{os.cpu_count()} CPUs, python {sys.version.split()[0]}", ""]
    if any(r.render for r in results):
        lines.append("render (migrate-grants render; seconds wall / peak RSS; statements in the script)")
        lines.append(f"{'size':>6} {'grants':>9} | {'compact s':>9} {'MB':>6} {'stmts':>7} | {'per-object s':>12} {'MB':>6} "
                     f"{'stmts':>7} | {'us/grant':>8}")
        for r in results:
            c, p = r.render.get("compact"), r.render.get("per-object")
            if c and p:
                lines.append(f"{r.name:>6} {r.grants:>9} | {c.seconds:>9.2f} {c.peak_mb:>6.0f} {r.statements['compact']:>7} | "
                             f"{p.seconds:>12.2f} {p.peak_mb:>6.0f} {r.statements['per-object']:>7} | "
                             f"{c.seconds / r.grants * 1e6:>8.1f}")
        lines.append("")
    if any(r.apply for r in results):
        lines.append("apply (seconds wall; ratio = naive autocommit / method)")
        header = f"{'size':>6} {'stmts naive':>11} | " + " ".join(f"{m:>9}" for m in args.methods)
        header += " | " + " ".join(f"{'x ' + m:>9}" for m in args.methods if m != "naive") + " | access"
        lines.append(header)
        for r in results:
            if not r.apply:
                continue
            base = r.apply.get("naive")
            row = f"{r.name:>6} {r.statements.get('naive', 0):>11} | " + " ".join(
                f"{r.apply[m].seconds:>9.2f}" for m in args.methods)
            row += " | " + " ".join(f"{(base.seconds / r.apply[m].seconds if base else 0):>9.1f}"
                                    for m in args.methods if m != "naive")
            row += " | " + ("identical" if r.access_ok else "DIFFERENT")
            lines.append(row)
        for r in results:
            for p in r.problems:
                lines.append(f"  {r.name}: {p}")
        lines.append("")
    lines += growth(results)
    for r in results:
        if r.acl:
            lines.append(f"{r.name}: after apply, {r.acl[0]} relations with {r.acl[1]} ACL items "
                         f"({r.acl[2]} privileges as aclexplode() rows)")
        if r.inspect:
            lines.append(f"{r.name}: inspect: inspector {r.inspect['alone']:.2f} s ({r.inspect['grants']} grants); "
                         f"`migrate-grants inspect URL -o FILE` {r.inspect['cli'].seconds:.2f} s, "
                         f"{r.inspect['cli'].peak_mb:.0f} MB")
        if r.diff:
            lines.append(f"{r.name}: diff: diff() {r.diff['alone']:.2f} s ({r.diff['grants'][0]} vs "
                         f"{r.diff['grants'][1]} grants); `migrate-grants diff DESIRED.json ACTUAL.json` "
                         f"{r.diff['cli'].seconds:.2f} s (median of {', '.join(f'{t:.2f}' for t in r.diff['cli_runs'])}), "
                         f"{r.diff['cli'].peak_mb:.0f} MB"
                         + ("" if r.diff["child_mb"] is None else
                            f" (and {r.diff['child_mb']:.0f} MB in its child, which reads the smaller file meanwhile)"))
    if shape:
        lines.append(f"inspect, the issue's shape: {shape['acl'][0]} relations with {shape['acl'][1]} ACL items "
                     f"({shape['acl'][2]} privileges), the catalogs vacuumed and analyzed, median of three: inspector "
                     f"{sorted(shape['alone_runs'])[1]:.2f} s ({', '.join(f'{t:.2f}' for t in shape['alone_runs'])}); "
                     f"`migrate-grants inspect URL -o FILE` {shape['cli'].seconds:.2f} s "
                     f"({', '.join(f'{t:.2f}' for t in shape['cli_runs'])}), {shape['cli'].peak_mb:.0f} MB; "
                     f"the first run, right after creating the tables (one sample, catalogs perhaps not "
                     f"analyzed yet): {shape['first'].seconds:.2f} s")
    return "\n".join(lines) + "\n"


def growth(results: list[Result]) -> list[str]:
    """Each step's cost per grant at every size: flat columns mean linear growth."""
    rows = []
    for r in results:
        cells = []
        for step, run in (("render", r.render.get("compact")), ("apply", r.apply.get("apply")),
                          ("inspect", (r.inspect or {}).get("cli")), ("diff", (r.diff or {}).get("cli"))):
            cells.append("" if run is None else
                         f"{run.seconds:7.2f} {run.seconds / r.grants * 1e6:5.1f} {run.peak_mb:6.0f} "
                         f"{run.peak_mb * 1024 / r.grants:5.2f}")
        rows.append(f"{r.name:>6} {r.grants:>9} | " + " | ".join(f"{c:>26}" for c in cells))
    if len(results) < 2:
        return []
    head = " | ".join(f"{step + ': s  us/gr    MB KB/gr':>26}" for step in ("render", "apply", "inspect", "diff"))
    return ["growth (the CLI commands; per grant: flat columns = linear growth in time and memory)",
            f"{'size':>6} {'grants':>9} | {head}", *rows, ""]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="125k,250k,500k,1m", help=f"comma list of {', '.join(SIZES)}")
    ap.add_argument("--steps", default="render,apply,inspect,diff", help="comma list of render, apply, inspect, diff")
    ap.add_argument("--methods", default=",".join(METHODS), help=f"apply methods, the first is the reference "
                                                                 f"({', '.join(METHODS)})")
    ap.add_argument("--pg-major", type=int, help="PostgreSQL major of the throwaway clusters (default: the newest found)")
    ap.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "migrate-grants-bench",
                    help="estates (cached), scripts and models")
    ap.add_argument("--fast-cluster", action="store_true",
                    help="clusters as the tests run them (fsync, synchronous_commit off); default: PostgreSQL's "
                         "durable defaults, as a real server commits")
    ap.add_argument("--ci", action="store_true", help="a tiny estate, every step: checks this script still works")
    args = ap.parse_args(argv)
    args.settings = dict(pgcluster.FAST_SETTINGS if args.fast_cluster else pgcluster.DURABLE_SETTINGS)
    # One transaction locks every table it creates, hands over or grants on: 20,000 tables need a
    # lock table larger than the default 64 x max_connections (as an RDS parameter group would set).
    args.settings["max_locks_per_transaction"] = "512"
    if args.ci:
        args.sizes = "ci"
    args.sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    args.steps = {s.strip() for s in args.steps.split(",") if s.strip()}
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [s for s in args.sizes if s not in SIZES] + [m for m in args.methods if m not in METHODS]
    if unknown:
        ap.error(f"unknown: {', '.join(unknown)}")
    if "inspect" in args.steps or "diff" in args.steps:
        args.steps.add("apply")
        if "apply" not in args.methods:
            args.methods.append("apply")
    args.workdir.mkdir(parents=True, exist_ok=True)

    installs = {i.major: i for i in pgcluster.find_installations()}
    if not installs:
        raise SystemExit(pgcluster.INSTALL_HINT)
    install = installs.get(args.pg_major) if args.pg_major else installs[max(installs)]
    if install is None:
        raise SystemExit(f"PostgreSQL {args.pg_major} not found; found {sorted(installs)}")

    # An installed package comes with its bytecode (pip compiles it); a checkout run with
    # PYTHONDONTWRITEBYTECODE set would compile every module at each command's start.
    compileall.compile_dir(str(ROOT / "migrate_grants"), quiet=1)
    results = [run_size(name, args, install) for name in args.sizes]
    shape = inspect_shape(install, args) if "inspect" in args.steps and not args.ci else None
    print(report(results, install, args, shape))
    if any(r.access_ok is False for r in results):
        print("benchmark: the methods left DIFFERENT access (see above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
