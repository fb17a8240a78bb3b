"""`results.json`: the machine-readable result (docs/user-guide.md "Reading the results")."""

from __future__ import annotations

import json

from hds_audit.formats.interface import RenderContext

FILENAME = "results.json"


def render(ctx: RenderContext) -> bytes:
    document = ctx.result.to_json()
    if ctx.extras.get("comparison"):
        document["comparison"] = ctx.extras["comparison"]
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
