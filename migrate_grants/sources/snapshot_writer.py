"""Write a dictionary snapshot deterministically, one view at a time.

Rows are sorted by their view's key columns (then by every other column) and written one per
line, so a snapshot diffs cleanly in git and the same dictionary always gives the same bytes
(apart from `source.captured_at`).  A `SnapshotStream` is consumed view by view: only one view's
rows are held (as tuples, for sorting), never the whole dictionary, and never twice.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Iterable, Iterator, Sequence

from ..output import atomic_output
from . import SNAPSHOT_FORMAT
from .oracle import COLUMNS, KEY_COLUMNS, VIEW_ORDER, SnapshotStream, ViewRows


def _cell_key(value) -> tuple:
    # None first, then numbers, then strings: never compares a str with an int.
    if value is None:
        return (0, 0, "")
    if isinstance(value, (int, float)):
        return (1, value, "")
    return (2, 0, str(value))


def sort_rows(view: str, columns: Sequence[str], rows: Iterable[tuple]) -> list[tuple]:
    """Rows of `view` sorted by its key columns, then by all columns (a total, stable order)."""
    keys = [columns.index(c) for c in KEY_COLUMNS.get(view, ()) if c in columns]
    order = keys + [i for i in range(len(columns)) if i not in keys]
    return sorted(rows, key=lambda row: tuple(_cell_key(row[i]) for i in order))


def column_order(view: str, names: Iterable[str]) -> list[str]:
    """Known columns in Oracle's order, then unknown ones alphabetically."""
    names = list(dict.fromkeys(names))
    known = [c for c, _ in COLUMNS.get(view, ()) if c in names]
    return known + sorted(c for c in names if c not in known)


def view_order(names: Iterable[str]) -> list[str]:
    names = list(names)
    return [v for v in VIEW_ORDER if v in names] + sorted(v for v in names if v not in VIEW_ORDER)


def stream_from_dict(snapshot: dict) -> SnapshotStream:
    """A snapshot dictionary ({"format", "source", "views": {view: [row dicts]}}) as a stream."""
    views = snapshot.get("views") or {}

    def gen() -> Iterator[ViewRows]:
        for view in view_order(views):
            rows = views[view]
            cols = column_order(view, (k for row in rows for k in row))
            yield ViewRows(view, cols, [tuple(row.get(c) for c in cols) for row in rows])

    return SnapshotStream(source=dict(snapshot.get("source") or {}), views=gen(),
                          format=snapshot.get("format", SNAPSHOT_FORMAT))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def write_stream(stream: SnapshotStream, out: IO[str]) -> dict[str, int]:
    """Write the snapshot JSON to a text stream; returns rows written per view."""
    counts: dict[str, int] = {}
    out.write("{\n")
    out.write(f'  "format": {_dumps(stream.format)},\n')
    out.write(f'  "source": {_dumps({k: stream.source[k] for k in sorted(stream.source)})},\n')
    out.write('  "views": {')
    first_view = True
    for vr in stream.views:
        rows = sort_rows(vr.view, vr.columns, vr.rows)  # the one copy of this view's rows
        out.write(("\n" if first_view else ",\n") + f"    {_dumps(vr.view)}: [")
        first_view = False
        for i, row in enumerate(rows):
            obj = "{" + ", ".join(f"{_dumps(c)}: {_dumps(v)}" for c, v in zip(vr.columns, row)) + "}"
            out.write(("\n      " if i == 0 else ",\n      ") + obj)
        out.write("\n    ]" if rows else "]")
        counts[vr.view] = len(rows)
        del rows
    out.write("\n  }\n}\n" if not first_view else "}\n}\n")
    return counts


def write_snapshot(snapshot_or_stream: dict | SnapshotStream, file: str | os.PathLike | IO[str]) -> dict[str, int]:
    """Write a snapshot (dictionary or `SnapshotStream`) to a path or an open text file.

    A path is written through a temporary file in the same directory and renamed at the end, so a
    failed extraction never leaves half a snapshot behind (output.atomic_output).  Returns rows written per view.
    """
    stream = snapshot_or_stream if isinstance(snapshot_or_stream, SnapshotStream) else stream_from_dict(snapshot_or_stream)
    if hasattr(file, "write"):
        return write_stream(stream, file)  # type: ignore[arg-type]
    with atomic_output(Path(file)) as out:
        return write_stream(stream, out)


def dumps_snapshot(snapshot_or_stream: dict | SnapshotStream) -> str:
    import io

    buf = io.StringIO()
    write_snapshot(snapshot_or_stream, buf)
    return buf.getvalue()
