"""`report.html`: the jinja2 template in report_templates/, autoescaped."""

from __future__ import annotations

import re
from collections import Counter

from hds_audit.formats.interface import RenderContext
from hds_audit.paths import data_dir
from hds_audit.states import SEVERITY

FILENAME = "report.html"
TEMPLATE = "report.html.j2"
# Bidirectional controls (LRM, RLM, embeddings, overrides, isolates): in an account name from the
# evidence, U+202E would show "gnp.exe" as "exe.png". The report shows them as code points instead.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible_bidi(value):
    if isinstance(value, str) and not hasattr(value, "__html__"):  # leave markup the template built alone
        return _BIDI.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)
    return value


def render(ctx: RenderContext) -> bytes:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("report_templates"))),
        autoescape=True,  # every string from evidence is text, never markup
        keep_trailing_newline=True,
        finalize=_visible_bidi,
    )
    result = ctx.result
    by_responsibility: dict[str, Counter] = {}
    for control in result.controls:
        by_responsibility.setdefault(control.control.responsibility, Counter())[control.status.value] += 1
    html = env.get_template(TEMPLATE).render(
        result=result, doc=result.to_json(), states=[s.value for s in SEVERITY],
        by_responsibility={k: dict(v) for k, v in sorted(by_responsibility.items())},
        signer=ctx.signer, demo=ctx.demo, comparison=ctx.extras.get("comparison"),
    )
    return html.encode("utf-8")
