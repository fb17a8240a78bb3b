"""What a YAML reader tells a user: where the error is (line and column as editors count) and what is wrong.

PyYAML's message spreads over several lines and names the stream "<unicode string>"; its first line alone is only
the context ("while parsing a flow sequence"), which says neither where nor what.
"""

from __future__ import annotations

from typing import Any

import yaml

from hds_audit.evidence.interface import Problem, reason_of
from hds_audit.i18n.messages import msg


def yaml_error(exc: yaml.YAMLError) -> tuple[str | None, str]:
    """(where, reason): `line L, column C` (1-based; None when PyYAML gives no place) and the problem, with its context."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        reason = exc.problem or exc.context or type(exc).__name__
        if exc.problem and exc.context:
            since = exc.context_mark
            start = f" from line {since.line + 1}, column {since.column + 1}" if since and since is not mark else ""
            reason += f" ({exc.context}{start})"
        return where, reason
    if isinstance(exc, yaml.reader.ReaderError):
        return f"character {exc.position + 1}", f"unacceptable character #x{exc.character:04x}: {exc.reason}"
    return None, " ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__


def read_yaml(bundle, rel: str) -> tuple[Any, Problem | None]:
    """The document of a YAML file of the bundle, or the problem that stops it being read (named with its place)."""
    try:
        return yaml.safe_load(bundle.read_bytes(rel).decode("utf-8-sig")), None
    except OSError as exc:
        return None, Problem(rel, None, msg("cannot be read: {reason}", reason=reason_of(exc)))
    except UnicodeDecodeError as exc:
        return None, Problem(rel, None, msg("not readable YAML: not UTF-8 text (byte {byte}); save it as UTF-8", byte=exc.start))
    except yaml.YAMLError as exc:
        where, reason = yaml_error(exc)
        return None, Problem(rel, where, msg("not readable YAML: {reason}", reason=reason))
    except ValueError as exc:  # PyYAML builds dates itself: `signed_at: 2026-02-30` raises this, not a YAMLError
        return None, Problem(rel, None, msg("not readable YAML: {reason}", reason=str(exc)))
