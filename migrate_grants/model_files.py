"""Reading saved model files (JSON from `model -o` or `inspect -o`): one, or two at once.

`diff A.json B.json` of two large files spends nearly all its time reading them: the JSON, then
model_from_dict's checks, one file after the other on one core (two files of a million grants: five
seconds or more).  load_model_files() reads the smaller file in a forked child meanwhile.  The child
sends the checked model back through a pipe as marshal data (built-in types only, much faster to load
than the JSON is to read and check again), or its one-line error.  The price is the child's memory
while both read.

Anything unusual and this process reads the file itself, as it would have anyway, so the result is
the same model: no fork (Windows), no process to be had, small files, a file whose grants are not in
order, a child that dies or sends anything but a whole answer.  Errors are raised as load_model_file
raises them, the first file's first; no child is left behind.
"""

from __future__ import annotations

import json
import marshal
import os
import sys
from dataclasses import fields
from itertools import repeat
from operator import attrgetter
from pathlib import Path

from .errors import UserError
from .model import (MODEL_FORMATS, GrantColumns, ManagedObject, Membership, Model, ObjectRef, Role,
                    grant_columns, model_from_dict, model_of_columns, shared_ref)

# Below this a file reads in a fraction of a second: not worth a process.
PARALLEL_FROM_BYTES = 8 << 20


def load_model_file(spec: str) -> Model | None:
    """The model in `spec` if it is a saved model file; None if it is something else (a snapshot,
    a URL, 'sample'...).  A model file that is not valid raises UserError naming the file."""
    path = Path(spec)
    if spec in ("sample", "-") or ":" in spec.split("/")[0] or not path.is_file():
        return None
    try:
        with path.open(encoding="utf-8") as f:
            head = f.read(4096)
            if not any(f'"{name}"' in head for name in MODEL_FORMATS):
                return None
            f.seek(0)  # (not head + the rest: a second copy of a file of 150 MB)
            text = f.read()
        data = json.loads(text)
        del text  # (the parsed data is several times larger: no need to hold both)
    except (OSError, UnicodeDecodeError):
        return None
    except json.JSONDecodeError as exc:
        raise UserError(f"{spec}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise UserError(f"{spec}: JSON nested too deeply to read") from None
    if not isinstance(data, dict):
        return None
    return model_from_dict(data, spec)


def load_model_files(first: str, second: str) -> tuple[Model | None, Model | None]:
    """(load_model_file(first), load_model_file(second)), the smaller of two large files read in a
    child process while this one reads the other."""
    if first == second:
        model = load_model_file(first)
        return model, model
    sizes = [_size(first), _size(second)]
    if not hasattr(os, "fork") or min(sizes) < PARALLEL_FROM_BYTES:
        return load_model_file(first), load_model_file(second)
    # The child reads the smaller file: this process waits for it, then loads what it sends.
    here, there = (first, second) if sizes[0] >= sizes[1] else (second, first)
    started = _start_child(there)
    if started is None:  # no process to be had (a pids limit, no memory): one after the other
        return load_model_file(first), load_model_file(second)
    pid, pipe = started
    models: dict[str, Model | None] = {}
    errors: dict[str, BaseException] = {}
    with pipe:
        try:
            try:
                models[here] = load_model_file(here)
            except Exception as exc:  # noqa: BLE001 - raised below, after the first file's error if any
                if here == first:  # reported whatever the child finds: no need to wait for it
                    raise
                errors[here] = exc
            answer = pipe.read()  # (the child has written what fits in the pipe, and waits)
            _, status = os.waitpid(pid, 0)
        except BaseException:  # that error, Ctrl-C or a bug: no child left behind
            _stop(pid)
            raise
    received = _received(answer) if os.waitstatus_to_exitcode(status) == 0 else None
    if isinstance(received, UserError):
        errors[there] = received
    elif received is not None:
        models[there] = received
    for spec in (first, second):  # in the order of the arguments, as one after the other would
        if spec in errors:
            raise errors[spec]
        if spec not in models:  # the child could not send it: read it here
            models[spec] = load_model_file(spec)
    return models[first], models[second]


def _start_child(spec: str):
    """(pid, the pipe to read) of a child reading `spec`, or None if there can be no child."""
    sys.stdout.flush()  # (the child's copies of the buffers must be empty: it never flushes them)
    sys.stderr.flush()
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: never returns, whatever happens (a Ctrl-C too)
        try:
            os.close(read_end)
            _child(spec, write_end)
        finally:
            os._exit(1)
    os.close(write_end)
    return pid, os.fdopen(read_end, "rb")


def _received(answer: bytes) -> Model | UserError | None:
    """What a child that exited normally sent: its model, its error, or None (nothing usable)."""
    try:
        if answer[:1] == b"M":
            return _from_wire(marshal.loads(memoryview(answer)[1:]))
        if answer[:1] == b"E":
            code, _, message = answer[1:].decode("utf-8", "surrogatepass").partition("\n")
            return UserError(message, exit_code=int(code))
    except (EOFError, ValueError, TypeError):  # cut short or garbled: this process reads the file
        pass
    return None


def _size(spec: str) -> int:
    try:
        return Path(spec).stat().st_size
    except (OSError, ValueError):
        return 0


def _child(spec: str, fd: int) -> None:
    """Read `spec`; write b"M" + the model, b"E" + its error (exit code, newline, message), or
    nothing (then the parent reads the file)."""
    code = 1
    try:
        try:
            model = load_model_file(spec)
            wire = None if model is None else _to_wire(model)
            tag, payload = (b"", b"") if wire is None else (b"M", marshal.dumps(wire))
        except UserError as exc:
            tag, payload = b"E", f"{exc.exit_code}\n{exc}".encode("utf-8", "surrogatepass")
        with os.fdopen(fd, "wb") as out:
            out.write(tag)
            out.write(payload)
        code = 0
    except BaseException:  # noqa: BLE001 - Ctrl-C, a closed pipe...: the parent decides
        pass
    finally:
        os._exit(code)  # no atexit handlers, no second flush of the parent's buffers


def _stop(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


# --- a model as built-in types, for marshal ---------------------------------------------------------

def _to_wire(model: Model) -> tuple | None:
    """The model as tuples, lists, str, bool, int and None; None when its grants are not in file
    order as columns (then the parent reads the file itself)."""
    columns = grant_columns(model)
    if columns is None:
        return None
    return (list(map(_ROLE_FIELDS, model.roles)), list(map(_MEMBERSHIP_FIELDS, model.memberships)),
            [(o.ref.kind.value, o.ref.schema, o.ref.name, o.owner, o.sources) for o in model.objects],
            [(ref.kind.value, ref.schema, ref.name) for ref in columns.objects], columns.counts, columns.columns,
            columns.privileges, columns.grantees, columns.grantables,
            columns.sources if any(columns.sources) else None)  # (None: no grant has sources, as inspected)


# Each element's fields in __init__'s order: Role(*values) makes the same element again.
_ROLE_FIELDS = attrgetter(*(f.name for f in fields(Role) if f.init))
_MEMBERSHIP_FIELDS = attrgetter(*(f.name for f in fields(Membership) if f.init))


def _from_wire(wire: tuple) -> Model:
    roles, memberships, objects, refs, counts, columns, privileges, grantees, grantables, sources = wire
    shared: dict[tuple, ObjectRef] = {}  # one ObjectRef per object, as model_from_dict makes them
    if sources is None:
        sources = list(repeat((), len(columns)))
    return model_of_columns(
        tuple(Role(*r) for r in roles), tuple(Membership(*m) for m in memberships),
        tuple(ManagedObject(shared_ref(shared, (kind, schema, name)), owner, object_sources)
              for kind, schema, name, owner, object_sources in objects),
        GrantColumns([shared_ref(shared, r) for r in refs], counts, columns, privileges, grantees, grantables, sources, True))
