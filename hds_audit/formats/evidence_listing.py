"""The evidence listing of the reports: every file one by one, except trace files when there are many.

A quarter of Cloud Trace Service traces is thousands of files, while the other kinds of evidence are a
few files each. Listed one row per trace file, every report grew with the number of files (10,000
rows in the workbook, 10,000 OSCAL resources); beyond MAX_LISTED trace files they are summarised
instead: one entry per group (the trace kind, `traces/`, or a finer folder for the PDF), with its
number of files, bytes, records, first and last time, and a digest of its listing. The signed
manifest.json (`evidence`) and results.json still list every file read with its SHA-256.

A group's digest is the SHA-256 of its files' `sha256sum` lines ("<sha256>  <path>\\n") sorted by
path as `LC_ALL=C sort` sorts them (UTF-8 byte order is code-point order), so an auditor recomputes it
from the bundle's root, `find traces -type f | LC_ALL=C sort | xargs sha256sum | sha256sum`, or
from the manifest, `jq -r '.evidence[] | select(.path | startswith("traces/")) | "\\(.sha256)  \\(.path)"'
manifest.json | sha256sum`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from hds_audit.ordering import natural_key

MAX_LISTED = 60  # trace files listed one by one up to this many
TRACES = "traces/"


def kind_folder(path: str) -> str | None:
    """The group of a trace file (its kind's folder, `traces/`); None for a file listed on its own."""
    return TRACES if path.startswith(TRACES) else None


def month_folder(path: str) -> str | None:
    """A CTS trace file's folder down to the month (traces/CloudTraces/{region}/{YYYY}/{M}/), or its kind's."""
    if not path.startswith(TRACES):
        return None
    parts = path.split("/")
    return "/".join(parts[:5]) + "/" if len(parts) > 5 else TRACES


def listing_digest(files: Iterable) -> str:
    """SHA-256 of the files' `sha256sum` lines, sorted by path (module docstring)."""
    lines = "".join(f"{f.sha256}  {f.path}\n" for f in sorted(files, key=lambda f: f.path))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def summarised(files: list) -> bool:
    """Whether the trace files are many enough to be summarised."""
    return sum(1 for f in files if f.path.startswith(TRACES)) > MAX_LISTED


def entries(files: list, group: Callable[[str], str | None] = kind_folder) -> list[dict]:
    """One entry per file, or per group of trace files when they are summarised, in natural order.

    Each entry: path (a file, or a group's folder ending in "/"), files, sha256 (the file's, or the
    group's digest), size, records (None when no file counts them), first, last.
    """
    if not summarised(files):
        return [_entry(f.path, [f]) for f in sorted(files, key=lambda f: natural_key(f.path))]
    groups: dict[str, list] = {}
    for f in files:
        groups.setdefault(group(f.path) or f.path, []).append(f)
    out = []
    for key, members in sorted(groups.items(), key=lambda item: natural_key(item[0])):
        if len(members) == 1:  # alone in its group: the file itself
            out.append(_entry(members[0].path, members))
        else:
            out.append(_entry(key, members, listing_digest(members)))
    return out


def file_entry(f) -> dict:
    """The entry of one file (FileRead)."""
    return _entry(f.path, [f])


def _entry(path: str, members: list, digest: str | None = None) -> dict:
    records = [m.records for m in members if m.records is not None]
    firsts = [m.first for m in members if m.first]
    lasts = [m.last for m in members if m.last]
    return {"path": path, "files": len(members), "sha256": digest or members[0].sha256, "size": sum(m.size for m in members),
            "records": sum(records) if records else None, "first": min(firsts) if firsts else None,
            "last": max(lasts) if lasts else None, "group": digest is not None}
