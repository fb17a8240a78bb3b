"""Orders people read: numbers inside names and messages compare as numbers (row 9 before row 10)."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Sort key comparing digit runs as numbers: CTS folders are 2026/6/ ... 2026/10/, not 2026/10/
    before 2026/6/; `row 9999` comes before `row 10000`. Text and numbers alternate, so two keys
    always compare like with like."""
    return tuple((int(part), part) if i % 2 else part for i, part in enumerate(_DIGITS.split(text)))
