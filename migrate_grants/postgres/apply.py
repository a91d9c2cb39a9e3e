"""Apply a plan to a live PostgreSQL as the RDS master: one transaction, all or nothing, verified.

    connect (libpq settings) -> BEGIN -> lock_timeout / statement_timeout / TimeZone UTC
    -> pg_advisory_xact_lock(LOCK_KEY): one apply per database at a time; a second one waits up to
       --lock-timeout, then fails naming the session that holds the lock
    -> inspect (scope: the desired model's roles and schemas) -> plan_changes() -> refuse if blocked
    -> run each action (SET ROLE run_as ... RESET ROLE), a WARNING from the server fails it
       ("no privileges were granted" means nothing happened); without a journal, the actions
       before the grants run in a worker thread while the GRANT statements are planned
    -> inspect again, in the same transaction; anything left to do fails the verification
    -> COMMIT (or ROLLBACK on any error: role DDL is transactional, nothing is half-applied)

Errors are one line naming the failing action, its source rows and the server's message.  SQL
comes only from the templates (identifiers quoted there); SET ROLE uses psycopg.sql.Identifier.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TextIO

import psycopg
from psycopg import sql as pgsql

from .. import __version__
from ..diff import ChangePlan, PlanOptions, plan_changes
from ..errors import UserError
from ..mapping import Target
from ..model import Model
from ..plan import SECTION_ORDER, Action
from .connect import connect, display_url
from .inspect import Inspection, Scope, inspect, query

# A fixed advisory lock key derived from the tool's name: every migrate-grants apply on a database
# takes it, so two never interleave (advisory locks are per database; roles are per cluster, so
# do not run applies on two databases of one cluster at the same moment either).
LOCK_KEY = int.from_bytes(hashlib.sha256(b"migrate-grants apply").digest()[:8], "big", signed=True)
DEFAULT_LOCK_TIMEOUT = "10s"
DEFAULT_STATEMENT_TIMEOUT = "5min"
SHOWN = 5  # items named in a one-line error


@dataclass(frozen=True)
class ApplyOptions:
    revoke_extra: bool = False
    skip_missing: bool = False
    flavor: str = "rds"
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT
    statement_timeout: str = DEFAULT_STATEMENT_TIMEOUT


@dataclass
class ApplyResult:
    plan: ChangePlan
    before: Inspection
    after: Inspection | None = None
    final: ChangePlan | None = None  # the plan after applying (empty, or only tolerated actions)
    applied: int = 0
    elapsed: float = 0.0
    warnings: list[str] = field(default_factory=list)  # tolerated: external roles the master cannot grant
    dry_run: bool = False

    def summary(self) -> list[str]:
        """What a runbook reads: done, verified, and what was deliberately left alone."""
        lines = []
        if self.dry_run:
            lines.append(f"dry run: {len(self.plan.actions)} action(s) would run; nothing was changed")
        elif not self.plan.actions:
            lines.append("nothing to do: 0 statements run")
        else:
            lines.append(f"applied {self.applied} action(s) in {self.elapsed:.2f} s (one transaction, committed)")
        if not self.dry_run:
            lines.append(verification_line(self.final or self.plan, self.warnings))
        if self.plan.left_alone:
            lines.append(f"left alone: {len(self.plan.left_alone)} extra privilege(s)/membership(s) the desired model "
                         "does not have (--revoke-extra revokes them; `diff` lists them)")
        if self.plan.skipped:
            lines.append(f"skipped: {len(self.plan.skipped)} object(s) missing in the target (--skip-missing)")
        return lines


def verification_line(final: ChangePlan, warnings: list[str]) -> str:
    if final.diff.empty:
        return "verified: target matches the desired model"
    cannot = len(final.not_granted) + len(warnings)
    if cannot:
        return (f"verified: target matches the desired model, except {cannot} membership(s) in roles the current "
                "user cannot grant (listed above)")
    return "verified: everything the desired model grants is in place"


# --- journal ------------------------------------------------------------------------------------

_PASSWORD = re.compile(r"(?i)(\bPASSWORD\s+)'(?:[^']|'')*'")


def redact(text: str) -> str:
    """SQL fit for a journal or a message: password literals (SCRAM verifiers too) replaced."""
    return _PASSWORD.sub(r"\1'***'", text)


class JournalError(UserError):
    """--journal FILE cannot be opened or written (e.g. a full disk)."""


class Journal:
    """JSON lines appended to --journal FILE: what was run, when, and how it ended."""

    def __init__(self, path: Path | None):
        self.path = path
        self._file: TextIO | None = None
        if path is not None:
            try:
                self._file = open(path, "a", encoding="utf-8")
            except OSError as exc:
                raise JournalError(f"{path}: cannot write the journal: {exc.strerror or exc}") from None

    @property
    def enabled(self) -> bool:
        """False without --journal: callers skip building records nobody reads."""
        return self._file is not None

    def write(self, event: str, **data) -> None:
        self.write_many([(event, data)])

    def write_many(self, records: list[tuple[str, dict]]) -> None:
        """Several records, written and flushed together (the actions of one batch ran together)."""
        if self._file is None:
            return
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        text = "".join(json.dumps({"time": now, "event": event, **data}, ensure_ascii=False) + "\n"
                       for event, data in records)
        try:
            self._file.write(text)
            self._file.flush()
        except OSError as exc:
            self.close()  # nothing more is written; apply stops (rolls back) or reports it after COMMIT
            raise JournalError(f"{self.path}: cannot write the journal: {exc.strerror or exc}") from None

    def close(self) -> None:
        if self._file is not None:
            file, self._file = self._file, None
            try:
                file.close()
            except OSError:  # the flush of a failed write: already reported
                pass


# --- progress -----------------------------------------------------------------------------------

class Progress:
    """One updating line on a terminal (stderr); silent when stderr is not a terminal."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._shown = False

    def __call__(self, index: int, total: int | None, action: Action) -> None:
        """`total`: None while the grants are still being planned (the first sections run meanwhile)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if index != total and now - self._last < 0.1:
            return
        self._last = now
        width = 100
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns - 1
        except (OSError, ValueError):
            pass
        text = f"[{index:>{len(str(total))}}/{total}] " if total is not None else f"[{index}] "
        text += f"{action.section}: {action.message}"
        self.stream.write("\r" + text[:width].ljust(min(width, 79)))
        self.stream.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


# --- plan against a live target -----------------------------------------------------------------

def plan_for(conn: psycopg.Connection, desired: Model, options: ApplyOptions,
             defer_grants: bool = False) -> tuple[Inspection, ChangePlan]:
    actual = inspect(conn, Scope.of_model(desired))
    plan = plan_changes(desired, actual.model, PlanOptions(Target(actual.major, options.flavor), options.revoke_extra,
                                                           options.skip_missing), ambiguous=actual.ambiguous,
                        external_roles=dict(actual.external_roles), current_user=actual.current_user,
                        defer_grants=defer_grants)
    return actual, plan


def plan_url(url: str, desired: Model, options: ApplyOptions) -> tuple[Inspection, ChangePlan]:
    """Inspect (read only, one snapshot) and plan: what `plan` and `apply --dry-run` show."""
    conn = connect(url)
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction():
            _set_timeouts(conn, options)
            return plan_for(conn, desired, options)
    except psycopg.Error as exc:
        raise UserError(f"{display_url(url)}: inspection failed: {_pg_message(exc)}") from None
    finally:
        conn.close()


def blocked_error(plan: ChangePlan) -> UserError:
    shown = "; ".join(plan.blocked[:SHOWN]) + (f"; and {len(plan.blocked) - SHOWN} more" if len(plan.blocked) > SHOWN else "")
    return UserError(f"cannot apply: {shown} (create missing objects first, or --skip-missing to leave them out)")


# --- apply --------------------------------------------------------------------------------------

class ApplyError(UserError):
    """An apply that failed and was rolled back (or whose connection was lost)."""


def apply(url: str, desired: Model, options: ApplyOptions = ApplyOptions(), *, journal: Path | None = None,
          progress: Callable[[int, int | None, Action], None] | None = None,
          before_action: Callable[[int, Action, psycopg.Connection], None] | None = None) -> ApplyResult:
    """Bring the target at `url` to `desired` in one transaction, verify, commit.

    `before_action(index, action, conn)` is a hook for tests (e.g. kill the connection mid-way)."""
    started = time.perf_counter()
    log = Journal(journal)
    try:
        conn = connect(url)
    except BaseException:
        log.close()
        raise
    state = {"committed": False}
    warnings: list[str] = []  # primary messages of WARNING notices (read in the handler: the
    conn.add_notice_handler(lambda d: warnings.append(d.message_primary or "")  # Diagnostic dies after it)
                            if d.severity_nonlocalized == "WARNING" else None)
    try:
        try:
            result = _apply(conn, url, desired, options, log, warnings, progress, before_action, state)
        except psycopg.Error as exc:  # outside an action: settings, lock, inspection
            raise ApplyError(f"{display_url(url)}: {_pg_message(exc)}; rolled back: nothing was applied") from None
        result.elapsed = time.perf_counter() - started
        log.write("commit", applied=result.applied, seconds=round(result.elapsed, 3))
        return result
    except JournalError as exc:
        if state["committed"]:
            raise JournalError(f"{exc}; the changes were applied and committed") from None
        raise JournalError(f"{exc}; rolled back: nothing was applied") from None
    except BaseException as exc:
        if not state["committed"]:
            try:
                log.write("rollback", error=redact(str(exc)) or exc.__class__.__name__)
            except JournalError:
                pass  # the error that stopped the apply is the one to report
        raise
    finally:
        if not state["committed"] and not conn.broken and not conn.closed:
            try:
                conn.rollback()
            except psycopg.Error:
                pass
        conn.close()
        log.close()


def _apply(conn, url, desired, options, log, warnings, progress, before_action, state) -> ApplyResult:
    _set_timeouts(conn, options)
    _take_lock(conn, url, options)
    # The GRANT statements of a large estate take a second or more to plan, and the actions before
    # them (roles, memberships, ownership) about as long to run: they run meanwhile, in a thread
    # (_run_overlapped).  Not with a journal, whose records start with the number of actions, nor
    # with a test's before_action hook.
    overlap = not log.enabled and before_action is None
    before, plan = plan_for(conn, desired, options, defer_grants=overlap)
    log.write("start", target=display_url(url), database=before.database, user=before.current_user,
              server_version=before.server_version_num, tool=f"migrate-grants {__version__}",
              actions=len(plan.actions), revoke_extra=options.revoke_extra, skip_missing=options.skip_missing)
    if plan.blocked:
        raise blocked_error(plan)
    result = ApplyResult(plan, before)
    runner = _Runner(conn, plan, result, log, warnings, progress, before_action)
    done = _run_overlapped(runner, plan) if plan.pending is not None else 0
    runner.total = len(plan.actions)
    runner.run(plan.actions[done:], done + 1)
    runner.finish()
    result.applied = runner.total
    degraded = runner.degraded

    # Verify inside the transaction: a failed verification rolls everything back.
    after, final = plan_for(conn, desired, options)
    appeared = _appeared(plan.whole_schemas, before, after)
    if appeared:
        log.write("verify-failed", appeared=appeared[:SHOWN])
        raise ApplyError(f"verification failed: {len(appeared)} object(s) appeared while applying ({', '.join(appeared[:SHOWN])}) "
                         "in a schema granted ON ALL TABLES/SEQUENCES IN SCHEMA, which may have granted on them too; "
                         "rolled back: nothing was applied; run apply again")
    remaining = [a for a in final.actions if a.sql not in degraded]
    if remaining:
        shown = "; ".join(a.message for a in remaining[:SHOWN])
        log.write("verify-failed", remaining=len(remaining), first=[a.message for a in remaining[:SHOWN]])
        raise ApplyError(f"verification failed: after applying, {len(remaining)} action(s) would still be needed "
                         f"({shown}); rolled back: nothing was applied")
    result.after, result.final = after, final
    log.write("verified", differences=final.diff.total, left_alone=len(final.left_alone))
    try:
        conn.commit()
    except psycopg.OperationalError as exc:
        state["committed"] = True  # unknown: do not claim a rollback
        try:
            log.write("commit-unknown", error=_pg_message(exc))
        except JournalError:
            pass  # the lost connection is the news
        raise ApplyError(f"{display_url(url)}: the connection was lost during COMMIT ({_pg_message(exc)}): whether "
                         "the changes were committed is unknown; run `migrate-grants diff` to check") from None
    state["committed"] = True
    return result


# --- running actions ------------------------------------------------------------------------------
#
# One round trip per action is most of the time of a large apply (tens of thousands of actions).
# Consecutive actions of one section that run as the same role go to the server together, as one
# multi-statement query inside a savepoint.  If any of them fails or draws a WARNING, the batch
# is rolled back to its savepoint and run again one action at a time, so an error or a warning
# still names its action; only a lost connection can name just the batch.  With a before_action
# hook (tests), every action is sent alone.

BATCH_ACTIONS = 200  # actions per round trip
BATCH_BYTES = 1 << 20  # and at most this much SQL
SAVEPOINT = "migrate_grants_batch"


def batches(actions: list[Action], one_at_a_time: bool = False, start: int = 1) -> list[list[tuple[int, Action]]]:
    """(index, action) lists, in order: runs of one section and run_as, within the limits above.
    `start`: the index of the first action."""
    out: list[list[tuple[int, Action]]] = []
    size = 0
    for index, action in enumerate(actions, start=start):
        last = out[-1][-1][1] if out else None
        if (last is not None and not one_at_a_time and len(out[-1]) < BATCH_ACTIONS and size + len(action.sql) <= BATCH_BYTES
                and action.section == last.section and action.run_as == last.run_as):
            out[-1].append((index, action))
            size += len(action.sql)
        else:
            out.append([(index, action)])
            size = len(action.sql)
    return out


# The sections that run before the GRANT statements (SECTIONS order): their actions are all known
# before the grants are planned.
_GRANTS_START = SECTION_ORDER["schema usage"]


def _run_overlapped(runner: "_Runner", plan: ChangePlan) -> int:
    """Run the actions of a deferred plan that come before the grants, in a thread, while this
    thread makes the GRANT statements (plan.complete()); the number of actions run.  psycopg
    waits for the server without holding the GIL, so the two overlap.  The connection is used by
    one thread at a time: the worker until it has finished, then this one (also on an error or
    Ctrl-C, which only this thread receives: it cancels the worker's statement and waits)."""
    head = [a for a in plan.actions if SECTION_ORDER[a.section] < _GRANTS_START]  # (a prefix: sorted)
    runner.total = None
    stop = threading.Event()
    with ThreadPoolExecutor(1, thread_name_prefix="migrate-grants-apply") as pool:
        running = pool.submit(runner.run, head, 1, stop)
        try:
            plan.complete()
            running.result()  # the worker's error, if any
        except BaseException:
            stop.set()  # no further batch or action
            while not running.done():
                _cancel(runner.conn)  # the statement running now (a lock wait, say) ends at once
                try:
                    wait([running], timeout=1)
                except KeyboardInterrupt:  # Ctrl-C again: still wait, the worker holds the connection
                    pass
            raise
    if plan.actions[:len(head)] != head:  # the grants sort after these sections: cannot happen
        raise AssertionError("the actions before the grants changed when the grants were planned")
    return len(head)


def _cancel(conn: psycopg.Connection) -> None:
    """Cancel the statement the connection is running, from another thread (a no-op if none)."""
    try:
        (conn.cancel_safe if hasattr(conn, "cancel_safe") else conn.cancel)()  # (cancel_safe: psycopg 3.2+)
    except psycopg.Error:
        pass  # the connection is gone: the worker fails on its own


class _Runner:
    """Runs actions on the apply's connection: SET ROLE, WARNINGs, the journal, batches."""

    def __init__(self, conn: psycopg.Connection, plan: ChangePlan, result: ApplyResult, log: Journal,
                 warnings: list[str], progress: Callable[[int, int | None, Action], None] | None = None,
                 before_action: Callable[[int, Action, psycopg.Connection], None] | None = None):
        self.conn, self.plan, self.result, self.log, self.warnings = conn, plan, result, log, warnings
        self.progress, self.before_action = progress, before_action
        self.total: int | None = len(plan.actions)  # None while the grants are still being planned
        self.current_role: str | None = None
        self.savepoint = False  # a batch savepoint is open (released when the next batch starts)
        self.degraded: set[str] = set()  # SQL of tolerated actions that warned (external role not grantable)

    def run(self, actions: list[Action], start: int, stop: threading.Event | None = None) -> None:
        """Run `actions` (the first is action number `start`) in batches; `stop`: set by another
        thread to end the run before the next batch."""
        for batch in batches(actions, one_at_a_time=self.before_action is not None, start=start):
            if stop is not None and stop.is_set():
                return
            for index, action in batch:
                if self.before_action is not None:
                    self.before_action(index, action, self.conn)
                if self.progress is not None:
                    self.progress(index, self.total, action)
            if len(batch) == 1 or not self.run_batch(batch):
                for index, action in batch:  # alone, or again one by one: to name what failed or warned
                    if stop is not None and stop.is_set():  # (cancelled: not again, one by one)
                        return
                    self.run_one(index, action)

    def set_role(self, run_as: str | None) -> None:
        if run_as != self.current_role:
            if run_as is None:
                self.conn.execute("RESET ROLE")
            else:
                self.conn.execute(pgsql.SQL("SET ROLE {}").format(pgsql.Identifier(run_as)))
            self.current_role = run_as

    def run_one(self, index: int, action: Action) -> None:
        t0 = time.perf_counter()
        self.warnings.clear()
        try:
            self.set_role(action.run_as)
            # No parameters: the simple query protocol, so one action may hold several statements.
            self.conn.execute(action.sql, prepare=False)
        except psycopg.Error as exc:
            raise _action_error(self.conn, index, self.total, action, exc) from None
        if self.warnings:
            texts = list(self.warnings)
            if action.sql in self.plan.tolerated and all(t.startswith("migrate-grants:") for t in texts):
                self.degraded.add(action.sql)
                self.result.warnings.extend(t.removeprefix("migrate-grants: ") for t in texts)
            else:
                raise ApplyError(f"action {_nth(index, self.total)} ({_describe(action)}) failed: the server warned: "
                                 f"{'; '.join(texts)}; rolled back: nothing was applied")
        if self.log.enabled:
            self.log.write_many([self._record(index, action, time.perf_counter() - t0)])

    def run_batch(self, batch: list[tuple[int, Action]]) -> bool:
        """All of `batch` in one round trip; False if it was rolled back (an error or a warning)."""
        first_index, first = batch[0]
        try:
            self.set_role(first.run_as)
        except psycopg.Error as exc:
            raise _action_error(self.conn, first_index, self.total, first, exc) from None
        release = f"RELEASE SAVEPOINT {SAVEPOINT};\n" if self.savepoint else ""
        sql = release + f"SAVEPOINT {SAVEPOINT};\n" + "\n".join(action.sql for _, action in batch)
        self.warnings.clear()
        t0 = time.perf_counter()
        try:
            self.conn.execute(sql, prepare=False)
            self.savepoint = True
        except psycopg.Error as exc:
            if self.conn.broken or self.conn.closed:
                raise _batch_lost(batch, self.total, exc) from None
            self.savepoint = True  # the failure was after SAVEPOINT (RELEASE and SAVEPOINT cannot fail)
            self._rollback_batch(batch, exc)
            return False
        if self.warnings:
            self._rollback_batch(batch, None)
            return False
        if self.log.enabled:
            seconds, span = time.perf_counter() - t0, [first_index, batch[-1][0]]
            self.log.write_many([self._record(index, action, seconds, batch=span) for index, action in batch])
        return True

    def _rollback_batch(self, batch: list[tuple[int, Action]], exc: psycopg.Error | None) -> None:
        try:
            self.conn.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
        except psycopg.Error:
            if self.conn.broken or self.conn.closed:
                raise _batch_lost(batch, self.total, exc) from None
            raise

    def finish(self) -> None:
        if self.savepoint:
            self.conn.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
            self.savepoint = False
        if self.current_role is not None:
            self.conn.execute("RESET ROLE")
            self.current_role = None

    def _record(self, index: int, action: Action, seconds: float, **batch) -> tuple[str, dict]:
        return ("action", dict(index=index, of=self.total, section=action.section, message=action.message,
                               run_as=action.run_as, sql=redact(action.sql), sources=list(action.sources),
                               ms=round(seconds * 1000, 2), **batch))


def dry_run(url: str, desired: Model, options: ApplyOptions = ApplyOptions()) -> ApplyResult:
    before, plan = plan_url(url, desired, options)
    return ApplyResult(plan, before, dry_run=True)


# --- helpers ------------------------------------------------------------------------------------

def _set_timeouts(conn: psycopg.Connection, options: ApplyOptions) -> None:
    """Transaction-local settings, values checked by the server (bound, never pasted)."""
    for name, value in (("lock_timeout", options.lock_timeout), ("statement_timeout", options.statement_timeout),
                        ("TimeZone", "UTC"), ("client_min_messages", "warning")):
        try:
            conn.execute("SELECT set_config(%s, %s, true)", (name, value))
        except psycopg.Error as exc:
            raise UserError(f"--{name.replace('_', '-')} {value!r}: {_pg_message(exc)}") from None


def _take_lock(conn: psycopg.Connection, url: str, options: ApplyOptions) -> None:
    try:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
    except psycopg.errors.LockNotAvailable:
        conn.rollback()
        holder = ""
        try:
            row = conn.execute(query("lock_holder"), {"classid": (LOCK_KEY >> 32) & 0xFFFFFFFF,
                                                      "objid": LOCK_KEY & 0xFFFFFFFF}).fetchone()
            conn.rollback()
            if row:
                holder = f" (pid {row[0]}, user {row[1]}, {row[2] or 'no application name'}, since {row[3]})"
        except psycopg.Error:
            pass
        raise ApplyError(f"{display_url(url)}: another migrate-grants apply is running on this database{holder}; "
                         f"waited {options.lock_timeout} (--lock-timeout) for it to finish; nothing was applied") from None


def _nth(index: int, total: int | None) -> str:
    """'12/340', or '12' while the total is not known yet (the grants are being planned)."""
    return str(index) if total is None else f"{index}/{total}"


def _describe(action: Action) -> str:
    text = f"{action.section}: {action.message}"
    if action.run_as:
        text += f"; as {action.run_as}"
    if action.sources:
        shown = ", ".join(action.sources[:SHOWN]) + (" ..." if len(action.sources) > SHOWN else "")
        text += f"; source {shown}"
    return text


def _pg_message(exc: BaseException) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or str(exc) or exc.__class__.__name__
    return redact(" ".join(text.split()))


def _appeared(whole_schemas, before: Inspection, after: Inspection) -> list[str]:
    """Relations or sequences in the schemas granted ON ALL ... IN SCHEMA that were not there before."""
    if not whole_schemas:
        return []
    seen = {(o.ref.schema, o.ref.kind.grant_keyword, o.ref.name) for o in before.model.objects}
    return sorted(str(o.ref) for o in after.model.objects if (o.ref.schema, o.ref.kind.grant_keyword) in whole_schemas
                  and (o.ref.schema, o.ref.kind.grant_keyword, o.ref.name) not in seen)


def _batch_lost(batch: list[tuple[int, Action]], total: int | None, exc: BaseException | None) -> ApplyError:
    """The connection dropped while a batch ran: which of its actions was running is unknown."""
    (first_index, first), last_index = batch[0], batch[-1][0]
    message = f": {_pg_message(exc)}" if exc is not None else ""
    return ApplyError(f"the connection was lost during actions {first_index}-{_nth(last_index, total)} (sent together; the "
                      f"first: {_describe(first)}){message}; the transaction was not committed: nothing was applied")


def _action_error(conn: psycopg.Connection, index: int, total: int | None, action: Action,
                  exc: psycopg.Error) -> ApplyError:
    where = f"action {_nth(index, total)} ({_describe(action)})"
    if isinstance(exc, psycopg.OperationalError) and (conn.broken or conn.closed):
        return ApplyError(f"the connection was lost during {where}: {_pg_message(exc)}; the transaction was not "
                          "committed: nothing was applied")
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        return ApplyError(f"{where} failed: it waited longer than --lock-timeout for a lock another session holds; "
                          "rolled back: nothing was applied")
    if isinstance(exc, psycopg.errors.QueryCanceled):
        return ApplyError(f"{where} failed: {_pg_message(exc)} (--statement-timeout); rolled back: nothing was applied")
    return ApplyError(f"{where} failed: {_pg_message(exc)}; rolled back: nothing was applied")
