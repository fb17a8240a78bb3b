"""`report.html`: the jinja2 template in report_templates/, autoescaped."""

from __future__ import annotations

from collections import Counter

from hds_audit.formats.interface import RenderContext, natural_key, notices, to_seconds, visible_bidi
from hds_audit.paths import data_dir
from hds_audit.states import SEVERITY

FILENAME = "report.html"
TEMPLATE = "report.html.j2"


def _visible_bidi(value):
    if isinstance(value, str) and not hasattr(value, "__html__"):  # leave markup the template built alone
        return visible_bidi(value)
    return value


def render(ctx: RenderContext) -> bytes:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("report_templates"))),
        autoescape=True,  # every string from evidence is text, never markup
        keep_trailing_newline=True,
        finalize=_visible_bidi,
    )
    env.filters["seconds"] = to_seconds  # messages and notes only: evidence names print as written
    result = ctx.result
    by_responsibility: dict[str, Counter] = {}
    for control in result.controls:
        by_responsibility.setdefault(control.control.responsibility, Counter())[control.status.value] += 1
    doc = result.to_json()
    html = env.get_template(TEMPLATE).render(
        result=result, doc=doc, states=[s.value for s in SEVERITY],
        evidence=sorted(doc["evidence"], key=lambda e: natural_key(e["path"])),
        by_responsibility={k: dict(v) for k, v in sorted(by_responsibility.items())},
        signer=ctx.signer, demo=ctx.demo, comparison=ctx.extras.get("comparison"), notices=notices(result),
    )
    return html.encode("utf-8")
