"""Signed YAML documents with a hashed attachment: attestations and provider certificates share this.

A file holds one mapping, a list of them, or `{key: [...]}`; each entry names a `document` inside
the bundle and its `sha256`, which is checked here so the manifest lists the document too.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from typing import Any, Callable, TypeVar


from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem, reason_of, shown
from hds_audit.i18n.messages import Message, msg
from hds_audit.evidence.yaml_errors import read_yaml
from hds_audit.calendar.instants import TimeParseError, parse_instant

T = TypeVar("T")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def load_documents(
    bundle: Bundle, name: str, patterns: tuple[str, ...], list_key: str, key: str, no_key: Message,
    build: Callable[[Bundle, str, str | None, dict, str], T], absent: Message,
) -> Evidence[list[T]]:
    """Every entry of the files matching `patterns`; an entry without a usable `key` is a problem."""
    evidence: Evidence[list[T]] = Evidence(name)
    files = sorted({f for pattern in patterns for f in bundle.glob(pattern)})
    if not files:
        evidence.absent_because(absent)
        return evidence
    found: list[T] = []
    for rel in files:
        entries, problem = yaml_entries(bundle, rel, list_key)
        if problem:
            evidence.problems.append(problem)
            continue
        evidence.files.append(bundle.record(rel))
        evidence.files[-1].records = len(entries)
        for where, entry in entries:
            value = entry.get(key) if isinstance(entry, dict) else None
            if not isinstance(value, str) or not value.strip():
                evidence.problems.append(Problem(rel, where, no_key))
                continue
            found.append(build(bundle, rel, where, entry, value.strip()))
    if evidence.files:
        evidence.data = found
    return evidence


def yaml_entries(bundle: Bundle, rel: str, key: str) -> tuple[list[tuple[str | None, Any]], Problem | None]:
    """The entries of a YAML file: one mapping, a list, or `{key: [...]}`; each with its place."""
    document, problem = read_yaml(bundle, rel)
    if problem is not None:
        return [], problem
    if isinstance(document, dict) and isinstance(document.get(key), list):
        document = document[key]
    if isinstance(document, dict):
        return [(None, document)], None
    if isinstance(document, list) and document:
        return [(f"entry {n}", item) for n, item in enumerate(document, start=1)], None
    return [], Problem(rel, None, msg("expected a mapping of fields (or a list of them)"))


def instant_field(entry: dict, name: str, end_of_day: bool = False) -> tuple[datetime | None, Message | None]:
    """A date or date-time field (a date alone at 00:00 Paris, or at the end of its day)."""
    value = entry.get(name)
    if value is None or value == "":
        return None, msg("no '{name}'", name=name)
    if not isinstance(value, (str, date)):
        return None, msg("'{name}' is not a date: {value}", name=name, value=shown(value))
    try:
        return parse_instant(value, end_of_day=end_of_day), None
    except TimeParseError as exc:
        return None, msg("'{name}': {reason}", name=name, reason=reason_of(exc))


def verify_document(bundle: Bundle, entry: dict) -> tuple[str | None, str | None, str | None, Message | None]:
    """(document, declared sha256, actual sha256, issue) for the entry's `document` and `sha256`.

    The path must stay inside the bundle (no `..`, no absolute path, no link out): a document
    outside it is not part of the evidence that the manifest seals.
    """
    document = text_field(entry.get("document"))
    declared = text_field(entry.get("sha256"))
    if declared is not None:
        declared = declared.lower().removeprefix("sha256:").strip()
    if document is None:
        return None, declared, None, msg("no 'document'")
    if not bundle.contains(document):
        return document, declared, None, msg("document path '{document}' leaves the bundle; refused", document=document)
    if declared is None:
        issue = msg("no 'sha256' of the document")
    elif not _SHA256.match(declared):
        issue = msg("'sha256' is not 64 hexadecimal digits: {value}", value=shown(declared))
    else:
        issue = None
    try:
        exists = bundle.exists(document)
    except Exception:  # noqa: BLE001 - a backend refusing the path is the same as not finding it
        exists = False
    if not exists:
        return document, declared, None, msg("document '{document}' is not in the bundle", document=document)
    try:
        actual = hashlib.sha256(bundle.read_bytes(document)).hexdigest()
    except OSError as exc:
        return document, declared, None, msg("document '{document}' cannot be read: {reason}", document=document,
                                             reason=reason_of(exc))
    return document, declared, actual, issue


def text_field(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None
