"""Reading back a JSON document hds-audit wrote (results.json, a baseline): the reasons it cannot be used."""

from __future__ import annotations

import json
from pathlib import Path


class UnreadableDocument(Exception):
    """`reason` completes "PATH ..." (does not exist, cannot be read, is not JSON, is not a SCHEMA document)."""

    def __init__(self, reason: str, missing: bool = False):
        super().__init__(reason)
        self.reason, self.missing = reason, missing


def read_document(path: Path, schema: str) -> dict:
    """The JSON object at `path` whose `schema` is `schema` (a byte-order mark is allowed)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UnreadableDocument("does not exist", missing=True) from None
    except OSError as exc:
        raise UnreadableDocument(f"cannot be read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableDocument(f"is not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("schema") != schema:
        raise UnreadableDocument(f"is not a {schema} document")
    return document
