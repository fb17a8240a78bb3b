"""JSON listings as cloud APIs return them: `{"<key>": [ {...}, ... ]}`, each record validated."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Problem, reason_of
from hds_audit.i18n.messages import msg

M = TypeVar("M", bound=BaseModel)


class DuplicateKey(ValueError):
    """An object of an evidence file holds one key twice."""


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))
        # json keeps the last value silently: {"users": [...], "users": []} would read as an empty listing
        raise DuplicateKey(msg('duplicate key "{key}" in one object: which value counts cannot be told', key=key))
    return document


def strict_loads(text: str | bytes) -> object:
    """json.loads refusing an object that holds a key twice (DuplicateKey, a ValueError)."""
    return json.loads(text, object_pairs_hook=_refuse_duplicates)


def load_json(bundle: Bundle, rel: str) -> tuple[object | None, Problem | None]:
    try:
        data = bundle.read_bytes(rel)
    except OSError as exc:
        return None, Problem(rel, None, msg("cannot be read: {reason}", reason=reason_of(exc)))
    return parse_json(data, rel)


def read_json_file(bundle: Bundle, rel: str, evidence) -> tuple[bool, object, object]:
    """(parsed, document, its FileRead) of one JSON file of `evidence`'s kind.

    The file is listed in `evidence.files` once read, even when it does not parse (its hash is
    evidence too); a problem is appended to `evidence.problems` and `parsed` is False."""
    try:
        raw = bundle.read_bytes(rel)
    except OSError as exc:
        evidence.problems.append(Problem(rel, None, msg("cannot be read: {reason}", reason=reason_of(exc))))
        return False, None, None
    read = bundle.record(rel, raw)
    evidence.files.append(read)
    document, problem = parse_json(raw, rel)
    if problem is not None:
        evidence.problems.append(problem)
    return problem is None, document, read


def parse_json(data: bytes, rel: str) -> tuple[object | None, Problem | None]:
    """JSON text (UTF-8, a BOM allowed), refusing a key given twice; else the problem, naming the place."""
    try:
        return strict_loads(data.decode("utf-8-sig")), None
    except UnicodeDecodeError as exc:
        return None, Problem(rel, None, msg("not UTF-8 text (byte {byte})", byte=exc.start))
    except json.JSONDecodeError as exc:
        return None, Problem(rel, None, msg("not JSON: {error} at line {line} column {column}", error=exc.msg, line=exc.lineno,
                                            column=exc.colno))
    except DuplicateKey as exc:
        return None, Problem(rel, None, reason_of(exc))


def listing(document: object, rel: str, key: str) -> tuple[list | None, Problem | None]:
    """The list under `key`, or a problem saying what the document is instead."""
    if not isinstance(document, dict) or key not in document:
        return None, Problem(rel, None, msg('expected an object with a "{key}" list', key=key))
    items = document[key]
    if not isinstance(items, list):
        return None, Problem(rel, None, msg('"{key}" is not a list', key=key))
    return items, None


def validate_records(items: list, rel: str, key: str, model: type[M], label: str = "name") -> tuple[list[M], list[Problem]]:
    """Each item as `model`; a bad one becomes a problem naming its index (and its `label` field)."""
    good: list[M] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        try:
            good.append(model.model_validate(item))
        except ValidationError as exc:
            name = item.get(label) if isinstance(item, dict) else None
            where = f"{key}[{index}]" + (f" {label}={name}" if name else "")
            reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in exc.errors())
            problems.append(Problem(rel, where, reasons))
    return good, problems
