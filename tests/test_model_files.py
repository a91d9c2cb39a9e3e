"""Two model files read at once (model_files.py): the smaller in a forked child.  The models, the
errors and their order are those of reading the files one after the other."""

from __future__ import annotations

import json
import marshal
import os
import signal
import subprocess
import sys
from dataclasses import replace

import pytest

from migrate_grants import model_files
from migrate_grants.diff import diff, to_dict
from migrate_grants.errors import UserError
from migrate_grants.model import (Grant, ManagedObject, Membership, Model, ObjectKind, ObjectRef, PendingGrants, Role,
                                  grant_columns, model_grants)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="reading in a child needs fork")

read_one = model_files.load_model_file  # the real one (the fixture below records this process's calls)


def _model(tables: int, grantees: int, *, drift: bool = False, pad: int = 0) -> Model:
    """A model with what a file can hold: odd names, options, owners, sources, column grants."""
    names = [f'r{i}"é\\' + "x" * pad for i in range(grantees)]
    roles = [Role(n, login=i % 2 == 0, connection_limit=i - 1, valid_until="2030-01-01T00:00:00+00:00" if i == 1 else None,
                  sources=(f"DBA_USERS#{i}",)) for i, n in enumerate(names)]
    memberships = [Membership(names[0], n, admin=i == 1, inherit=i != 2, sources=("DBA_ROLE_PRIVS#1",))
                   for i, n in enumerate(names[1:], 1)]
    refs = [ObjectRef(ObjectKind.VIEW if t % 7 == 0 else ObjectKind.TABLE, f"s{t % 3}", f"t\t{t}") for t in range(tables)]
    objects = [ManagedObject(ref, names[0] if i % 2 else None, (f"DBA_OBJECTS#{i}",)) for i, ref in enumerate(refs)]
    grants = [Grant(ref, p, n, (t + g) % 5 == 0, None, (f"DBA_TAB_PRIVS#{t}.{g}",))
              for t, ref in enumerate(refs) for g, n in enumerate(names) for p in ("SELECT", "UPDATE")
              if (t + g) % 3 or (drift and t == 1)]
    grants += [Grant(ref, "UPDATE", names[-1], False, "c\u2028ol") for ref in refs[::5]]
    return Model.build(roles, memberships, objects, grants)


@pytest.fixture
def files(tmp_path):
    """(big, small): two model files that differ, the small one with fewer roles and grants."""
    big, small = tmp_path / "big.json", tmp_path / "small.json"
    big.write_text(_model(60, 40, drift=True).to_json(), encoding="utf-8")
    small.write_text(_model(50, 30).to_json(), encoding="utf-8")
    assert big.stat().st_size > small.stat().st_size
    return str(big), str(small)


class Reads(list):
    """The files this process reads itself (a forked child's reads land in the child's copy);
    `fail`: file -> the exception reading it raises (in this process and in a child)."""

    def __init__(self) -> None:
        super().__init__()
        self.fail: dict[str, BaseException] = {}


@pytest.fixture
def here(monkeypatch):
    monkeypatch.setattr(model_files, "PARALLEL_FROM_BYTES", 0)
    read = Reads()

    def recording(spec):
        read.append(spec)
        if spec in read.fail:
            raise read.fail[spec]
        return read_one(spec)

    monkeypatch.setattr(model_files, "load_model_file", recording)
    return read


@pytest.fixture
def forks(monkeypatch):
    """The pids of the children forked."""
    pids = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return pids


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _same(loaded: Model, spec: str) -> None:
    assert type(model_grants(loaded)) is PendingGrants and grant_columns(loaded) is not None  # as read
    expected = read_one(spec)
    assert loaded.to_json() == expected.to_json()  # sources too, which == does not compare
    assert loaded == expected


@pytest.mark.parametrize("order", ["big first", "small first"])
def test_the_child_reads_the_smaller_file_and_sends_the_model_it_would_read(files, here, forks, order):
    big, small = files
    first, second = files if order == "big first" else files[::-1]
    left, right = model_files.load_model_files(first, second)
    assert here == [big]  # the small one came from the child
    assert len(forks) == 1 and _reaped(forks[0])
    _same(left, first)
    _same(right, second)
    child_model = left if first == small else right
    assert {id(g.ref) for g in child_model.grants} <= {id(o.ref) for o in child_model.objects}  # refs shared
    assert to_dict(diff(left, right)) == to_dict(diff(read_one(first), read_one(second)))
    assert not diff(left, right).empty


def test_a_file_without_sources_comes_back_the_same(files, here):
    """An inspected model has no sources: the child sends none, and they come back empty."""
    big, small = files
    model = read_one(small)
    inspected = Model.build(model.roles, model.memberships, model.objects,
                            [replace(g, sources=()) for g in model.grants])
    with open(small, "w", encoding="utf-8") as f:
        f.write(inspected.to_json())
    _, right = model_files.load_model_files(big, small)
    assert here == [big]
    _same(right, small)
    assert right.to_json() == inspected.to_json()


def _break(spec: str, how: str) -> None:
    with open(spec, encoding="utf-8") as f:
        text = f.read()
    if how == "json":
        text = text[:-5]
    else:  # a valid JSON file with a privilege PostgreSQL has not got
        text = text.replace('"UPDATE", ', '"UPDATED", ', 1)
    with open(spec, "w", encoding="utf-8") as f:
        f.write(text)


def _error_of(spec: str) -> str:
    with pytest.raises(UserError) as caught:
        read_one(spec)
    return str(caught.value)


@pytest.mark.parametrize("how", ["json", "privilege"])
@pytest.mark.parametrize("broken", [["small"], ["big"], ["big", "small"]])
@pytest.mark.parametrize("order", ["big first", "small first"])
def test_errors_are_those_of_reading_one_after_the_other(files, here, forks, broken, how, order):
    paths = dict(zip(("big", "small"), files))
    for name in broken:
        _break(paths[name], how)
    first, second = files if order == "big first" else files[::-1]
    expected = _error_of(first) if first in [paths[n] for n in broken] else _error_of(second)
    with pytest.raises(UserError) as caught:
        model_files.load_model_files(first, second)
    assert str(caught.value) == expected and caught.value.exit_code == 2
    assert expected.startswith(first if first in [paths[n] for n in broken] else second)
    assert here == [paths["big"]]  # the small one was read by the child, whatever it found
    assert len(forks) == 1 and _reaped(forks[0])  # (stopped if its answer was not needed)


def test_the_error_of_the_child_comes_with_its_exit_code(files, here, forks):
    big, small = files
    here.fail[small] = UserError(f"{small}: \udcff broken", exit_code=5)
    with pytest.raises(UserError) as caught:
        model_files.load_model_files(big, small)
    assert (str(caught.value), caught.value.exit_code) == (f"{small}: \udcff broken", 5)
    assert here == [big] and len(forks) == 1 and _reaped(forks[0])


@pytest.mark.parametrize("small_is_bad", [True, False])
def test_any_error_here_waits_for_the_first_files_error(files, here, small_is_bad):
    """The larger file, read here, is the second: its error (whatever it is) comes after the first's."""
    big, small = files
    here.fail[big] = RecursionError("maximum recursion depth exceeded")
    if small_is_bad:
        _break(small, "privilege")
    with pytest.raises(UserError if small_is_bad else RecursionError) as caught:
        model_files.load_model_files(small, big)
    if small_is_bad:
        assert str(caught.value) == _error_of(small)


def _child_that_writes(data: bytes, then_kill: bool):
    def child(spec, fd):
        os.write(fd, data)
        if then_kill:
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(0)
    return child


@pytest.mark.parametrize("data, then_kill", [
    (b"M" + b"\x00" * 1000, True),  # killed part-way through its answer
    (b"M" + marshal.dumps(("not", "a", "model")), False),  # an answer that is no model
    (b"M" + b"garbage", False),
    (b"E" + b"not a number\nmessage", False),
    (b"", False),
])
def test_a_child_that_dies_or_sends_garbage_leaves_its_file_to_this_process(files, here, forks, monkeypatch,
                                                                             data, then_kill):
    big, small = files
    monkeypatch.setattr(model_files, "_child", _child_that_writes(data, then_kill))
    left, right = model_files.load_model_files(big, small)
    assert here == [big, small]
    assert left.to_json() == read_one(big).to_json() and right.to_json() == read_one(small).to_json()
    assert _reaped(forks[0])


def test_without_a_process_to_be_had_one_after_the_other_and_no_fd_left_open(files, here, monkeypatch):
    big, small = files

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    fds = sorted(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    left, right = model_files.load_model_files(big, small)
    assert here == [big, small] and left == read_one(big) and right == read_one(small)
    if fds is not None:
        assert sorted(os.listdir("/proc/self/fd")) == fds


def test_a_file_out_of_order_is_read_here(files, here):
    big, small = files
    data = json.loads(open(small, encoding="utf-8").read())
    rows = data["grants"]
    second_object = next(i for i, row in enumerate(rows) if i and len(row) == 3)
    data["grants"] = rows[second_object:] + rows[:second_object]  # valid, not in order: the child sends nothing
    with open(small, "w", encoding="utf-8") as f:
        json.dump(data, f)
    left, right = model_files.load_model_files(big, small)
    assert here == [big, small]
    assert left == read_one(big) and right == read_one(small) and right.to_json() == read_one(small).to_json()


def test_without_fork_or_for_small_files_one_after_the_other(files, here, monkeypatch):
    big, small = files
    monkeypatch.setattr(model_files, "PARALLEL_FROM_BYTES", os.path.getsize(small) + 1)
    model_files.load_model_files(big, small)
    assert here == [big, small]
    here.clear()
    monkeypatch.setattr(model_files, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.delattr(os, "fork")
    model_files.load_model_files(small, big)
    assert here == [small, big]
    here.clear()
    left, right = model_files.load_model_files(small, small)
    assert left is right and here == [small]


def test_what_is_no_model_file_is_none(files, here):
    big, _ = files
    left, right = model_files.load_model_files("postgresql://master@host/app", big)
    assert left is None and right == read_one(big)


def test_the_diff_command_reads_two_large_files_at_once(tmp_path):
    """Through the CLI, with files over PARALLEL_FROM_BYTES: the diff is the one of the models."""
    left, right = tmp_path / "desired.json", tmp_path / "actual.json"
    desired, actual = _model(260, 160, drift=True, pad=120), _model(260, 150, pad=120)
    left.write_text(desired.to_json(), encoding="utf-8")
    right.write_text(actual.to_json(), encoding="utf-8")
    assert min(left.stat().st_size, right.stat().st_size) >= model_files.PARALLEL_FROM_BYTES
    proc = subprocess.run([sys.executable, "-m", "migrate_grants", "diff", str(left), str(right), "--format", "json",
                           "--exit-code"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    expected = to_dict(diff(desired, actual), f"{left} (saved model)", f"{right} (saved model)")
    assert json.loads(proc.stdout) == expected
