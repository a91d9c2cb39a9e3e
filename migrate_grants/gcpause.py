"""Pause Python's cyclic garbage collector around bulk work.

Loading, mapping and rendering a large estate create millions of small objects (rows, grants,
tuples) that form no reference cycles; the collector would rescan them over and over as they
accumulate (a third of the time of a million-grant render).  Reference counting still frees
everything as usual while the collector is paused.
"""

from __future__ import annotations

import functools
import gc
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable)


@contextmanager
def paused_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def without_gc(fn: F) -> F:
    """Decorator: run `fn` with the collector paused."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with paused_gc():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
