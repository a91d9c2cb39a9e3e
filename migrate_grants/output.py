"""Writing output files (-o, --findings, snapshots): atomically, and never through a planted name.

A regular file is written through a temporary file created exclusively with a random name in the
same directory (tempfile.mkstemp: O_EXCL, O_NOFOLLOW), then renamed over the target, so a failed
run never leaves half a script behind.  The result keeps the mode of the file it replaces, or gets
the usual 0666 & ~umask.  A device or a FIFO (/dev/stdout, a named pipe) is written to directly:
renaming over it would replace the device node.
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

from .errors import UserError


def check_output_path(path: Path) -> None:
    """Refuse, before any work is done, an output path that can never be written: a directory, or
    a file in a directory that does not exist."""
    if path.is_dir():  # also -o "" (Path("") is ".")
        raise UserError(f"{path}: cannot write: it is a directory (give a file name)")
    parent = path.parent
    if not parent.is_dir():
        raise UserError(f"{path}: cannot write: directory {parent} does not exist")


@contextmanager
def atomic_output(path: Path) -> Iterator[TextIO]:
    """A text stream whose contents become `path` when the block ends without an exception.
    OSError is left to the caller (which names the file in a UserError)."""
    check_output_path(path)
    if path.exists() and not path.is_file():  # a device or FIFO: write to it, do not replace it
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            yield out
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            yield out
        if path.is_file():
            mode = stat.S_IMODE(path.stat().st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
