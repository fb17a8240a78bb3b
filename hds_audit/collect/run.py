"""One `hds-audit collect KIND`: plan the units, skip those a previous run finished, write the rest.

`collection-log.jsonl` (at the bundle's root) gets one line per request (service, region,
operation, method, path, status, count, seconds, time) and one per file written (its SHA-256).
A re-run into the same bundle after a run that failed skips every file whose logged SHA-256 still
matches it, so it resumes where the failure stopped. Once a run collects all it set out to, it
logs `complete`, and the next run collects everything again: evidence is never silently left from
an earlier quarter. `fresh` collects everything again in any case.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from hds_audit.calendar.instants import PARIS
from hds_audit.collect import backups, iam, inventory
from hds_audit.collect.interface import KINDS, NothingToCollect, Unavailable, Unit
from hds_audit.collect.traces import _append_log

LOG = "collection-log.jsonl"
PLANNERS = {"iam": iam.units, "backups": backups.units, "inventory": inventory.units}


@dataclass
class Result:
    written: list[Unit] = field(default_factory=list)
    skipped: list[Unit] = field(default_factory=list)  # already collected by an earlier run
    empty: list[tuple[Unit, str]] = field(default_factory=list)  # the tenant has none of it: no file written
    failed: list[tuple[Unit, str]] = field(default_factory=list)


def plan(kinds: list[str], regions: list[str]) -> list[Unit]:
    return [unit for kind in KINDS if kind in kinds for unit in PLANNERS[kind](regions)]


def logger(bundle: Path) -> Callable[[dict], None]:
    path = bundle / LOG

    def log(entry: dict) -> None:
        bundle.mkdir(parents=True, exist_ok=True)
        _append_log(path, entry)
    return log


def finished(bundle: Path) -> dict[str, str]:
    """File -> SHA-256 of the files written whole since the last run that completed."""
    done: dict[str, str] = {}
    try:
        lines = (bundle / LOG).read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, UnicodeDecodeError):
        return done
    for line in lines:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by an interruption
        if isinstance(entry, dict) and "complete" in entry:
            done.clear()
        elif isinstance(entry, dict) and isinstance(entry.get("written"), str) and isinstance(entry.get("sha256"), str):
            done[entry["written"]] = entry["sha256"]
    return done


def collect(api, units: list[Unit], bundle: Path, fresh: bool = False,
            progress: Callable[[Unit, str], None] | None = None) -> Result:
    result = Result()
    done = {} if fresh else finished(bundle)
    for unit in units:
        target = bundle / unit.path
        if unit.path in done and _sha256(target) == done[unit.path]:
            result.skipped.append(unit)
            if progress:
                progress(unit, "already collected")
            continue
        try:
            document = unit.fetch(api, unit.region)
        except NothingToCollect as exc:
            reason = str(exc)
            if target.exists():  # never removed (it may be a hand export), but it must not pass unnoticed for today's
                reason += f"; {unit.path} from before is still in the bundle: remove it if it is stale"
            result.empty.append((unit, reason))
            api.log({"none": unit.path, "reason": reason, "at": _now()})
            if progress:
                progress(unit, "none")
            continue
        except Exception as exc:  # noqa: BLE001 - an answer of an unforeseen shape fails its file, not the run
            reason = str(exc) if isinstance(exc, Unavailable) else \
                f"{unit.label}: could not be collected ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:160]})"
            result.failed.append((unit, reason))
            api.log({"failed": unit.path, "reason": reason, "at": _now()})
            if progress:
                progress(unit, "failed")
            continue
        digest = _write(target, document)
        api.log({"written": unit.path, "sha256": digest, "service": unit.service, "region": unit.region, "at": _now()})
        result.written.append(unit)
        if progress:
            progress(unit, "collected")
    if not result.failed:
        api.log({"complete": [u.path for u in units], "at": _now()})
    return result


def _write(target: Path, document: dict) -> str:
    """Whole or absent: written under a temporary name, then renamed."""
    data = (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False, default=str) + "\n").encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(target.name + ".partial")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, target)
    return hashlib.sha256(data).hexdigest()


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _now() -> str:
    return datetime.now(PARIS).replace(microsecond=0).isoformat()
