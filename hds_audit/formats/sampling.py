"""Which findings a cut list shows (report.pdf): a few of every kind, not the first N of one kind.

Findings are sorted by status then object, so the first N of a long list can all be of one kind
(e.g. 187 backups whose ids sort before the one server that lies outside the EU). A cut list shows
every kind in turn instead, and says how many of each kind it leaves out. results.json, the HTML
report and the workbook keep every finding in their usual order.
"""

from __future__ import annotations

import re
from collections import Counter

KIND_WORDS = 3  # leading words of a message that name its kind
# a word that varies from one finding to the next (an id, a count, a time, a name with a path or
# an address): the kind is the words before it. A snake_case type name such as
# flexibleengine_compute_instance_v2 is a kind, not a value.
_TYPE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)+$")
_VALUE = re.compile(r"[0-9./:#=@'\"]")
_TRAILING = {"of", "for", "in", "at", "from", "to", "the", "a", "an", "on", "by", "with",
             "de", "du", "des", "la", "le", "les", "en", "dans", "au", "aux", "à", "par", "pour", "sur", "avec"}  # French


def finding_kind(finding) -> tuple[str, str]:
    """(status, leading words of the message in the report's language): findings saying the same thing about other
    objects."""
    kind: list[str] = []
    for word in finding.text().split():
        if word == finding.object or (_VALUE.search(word) and not _TYPE_NAME.match(word)):
            break
        kind.append(word)
        if len(kind) == KIND_WORDS:
            break
    while kind and kind[-1].lower() in _TRAILING:
        kind.pop()
    return finding.status.value, " ".join(kind)


def representative(findings: list, limit: int) -> list:
    """Up to `limit` findings taken from each kind in turn (kinds in order of first appearance),
    shown in their original order."""
    if len(findings) <= limit:
        return list(findings)
    by_kind: dict[tuple[str, str], list[int]] = {}
    for i, f in enumerate(findings):
        by_kind.setdefault(finding_kind(f), []).append(i)
    queues = [list(reversed(indexes)) for indexes in by_kind.values()]
    chosen: set[int] = set()
    while len(chosen) < limit:
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.add(queue.pop())
    return [f for i, f in enumerate(findings) if i in chosen]


def hidden_text(findings: list, shown: list) -> str:
    """What the cut leaves out, by kind, most first: '172 “CBR backup …”, 1 “flexibleengine_cbr_policy …”'.
    Empty when the whole list is of one kind (the heading and the rows already say which)."""
    if len({finding_kind(f) for f in findings}) < 2:
        return ""
    kept = {id(f) for f in shown}
    hidden = Counter(finding_kind(f) for f in findings if id(f) not in kept)
    parts = []
    for (status, words), n in sorted(hidden.items(), key=lambda item: (-item[1], item[0])):
        label = f"“{words} …”" if words else "other"
        parts.append(f"{n} {label}" + ("" if status == "fail" else f" ({status})"))
    return ", ".join(parts)
