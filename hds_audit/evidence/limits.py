"""Size limits of evidence files (docs/user-guide.md "Size limits"): past them a file is refused, named, with the
limit and the variable that raises it, instead of filling the machine's memory.

Each limit keeps one run's memory bounded (about 1.5 GB at worst): a JSON document read in Python takes several
times its size once parsed, a register row a few kilobytes once validated.
"""

from __future__ import annotations

import os


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


# one evidence file read whole (JSON listings, Terraform states, CSV tables); an XLSX workbook's unzipped size
FILE_MAX_BYTES = _env_int("HDS_AUDIT_EVIDENCE_FILE_MAX_BYTES", 128 * 1024**2)
# data rows of one register or table (CSV or XLSX)
TABLE_MAX_ROWS = _env_int("HDS_AUDIT_TABLE_MAX_ROWS", 20_000)


def size_text(size: int) -> str:
    """A byte count as people read it (KiB, MiB, GiB)."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def too_large(size: int, limit: int, variable: str, subject: str = "the file is", what: str = "one evidence file") -> str | None:
    """The refusal of a file of `size` bytes past `limit`, or None."""
    if size <= limit:
        return None
    from hds_audit.i18n.messages import msg

    if subject == "the file is" and what in ("one evidence file", "one trace file"):  # the readers' own words, translated
        what_said = msg("one evidence file") if what == "one evidence file" else msg("one trace file")
        return msg("the file is {size}, past the limit of {limit} for {what} (raise {variable} to read it)",
                   size=size_text(size), limit=size_text(limit), what=what_said, variable=variable)
    return f"{subject} {size_text(size)}, past the limit of {size_text(limit)} for {what} (raise {variable} to read it)"
