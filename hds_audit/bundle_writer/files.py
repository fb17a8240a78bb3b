"""The files of a bundle: bytes, JSON, API listings, gzip, CSV tables, YAML scalars."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from pathlib import Path

REGISTER_COLUMNS = ["account", "person", "email", "role", "granted_at", "revoked_at", "approved_by", "ticket", "owner"]
TICKET_COLUMNS = ["ticket_id", "category", "priority", "opened_at", "responded_at", "resolved_at", "api_incident"]
RESTORE_COLUMNS = ["tested_at", "resource_id", "backup_id", "result", "record"]


def compact(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def gzipped(raw: bytes, level: int = 9) -> bytes:
    """gzip with mtime=0, so the same bytes give the same file."""
    return gzip.compress(raw, compresslevel=level, mtime=0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def csv_text(columns: list[str], rows: list, delimiter: str = ",", newline: str = "\n") -> str:
    """A header and rows (lists in column order, or dicts by column name); None and missing cells are empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        cells = [row.get(c) for c in columns] if isinstance(row, dict) else row
        writer.writerow(["" if v is None else v for v in cells])
    return buffer.getvalue()


class BundleFiles:
    """Writes files under `root`, creating folders, and keeps each file's SHA-256 by its relative path."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.sha: dict[str, str] = {}

    def write(self, rel: str, data: bytes | str) -> Path:
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.sha[rel] = sha256(data)
        return path

    def json(self, rel: str, obj: object, indent: int | None = 2) -> Path:
        return self.write(rel, json.dumps(obj, ensure_ascii=False, indent=indent) + "\n")

    def listing(self, rel: str, key: str, items: list, **extra: object) -> Path:
        """`{"key": [...]}` with one record per line, as small as a listing and still readable."""
        tail = "".join(f", {json.dumps(k)}: {compact(v)}" for k, v in extra.items())
        if not items:
            return self.write(rel, f'{{"{key}": []{tail}}}\n')
        body = ",\n".join("  " + compact(i) for i in items)
        return self.write(rel, f'{{"{key}": [\n{body}\n]{tail}}}\n')

    def gz(self, rel: str, raw: bytes) -> Path:
        return self.write(rel, gzipped(raw))

    def table(self, rel: str, columns: list[str], rows: list, *, delimiter: str = ",", bom: bool = False,
              newline: str = "\n") -> Path:
        return self.write(rel, ("\ufeff" if bom else "") + csv_text(columns, rows, delimiter, newline))
