"""Result states and how they combine (README.md "Result states";
docs/user-guide.md "Reading the results").

A control takes the worst of its checks; "worst" follows SEVERITY, most severe first.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    MANUAL = "manual"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"

    def __str__(self) -> str:  # so f-strings and JSON show the contract's word
        return self.value


SEVERITY: tuple[Status, ...] = (
    Status.FAIL,
    Status.ERROR,
    Status.MANUAL,
    Status.WAIVED,
    Status.PASS,
    Status.NOT_APPLICABLE,
)
_RANK = {status: rank for rank, status in enumerate(SEVERITY)}


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe of `statuses`; nothing to judge is not_applicable."""
    ranked = sorted(statuses, key=_RANK.__getitem__)
    return ranked[0] if ranked else Status.NOT_APPLICABLE


def is_blocking(status: Status) -> bool:
    """Whether a status makes `run` exit non-zero."""
    return status in (Status.FAIL, Status.ERROR)
