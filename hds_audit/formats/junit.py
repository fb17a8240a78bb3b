"""`junit.xml`: one testcase per check, so CI systems show failures natively."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hds_audit.formats.interface import RenderContext, to_seconds
from hds_audit.results.reviews import headline as review_headline
from hds_audit.states import Status

FILENAME = "junit.xml"
# Characters XML 1.0 cannot hold, even escaped (an ESC or a NUL in an account name from the evidence)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(root: ET.Element) -> ET.Element:
    """Every text and attribute of the tree as XML can carry it: a character XML forbids becomes
    U+FFFD (as in report.xlsx), so the file still parses."""
    for element in root.iter():
        if element.text:
            element.text = _NOT_XML.sub("\ufffd", element.text)
        if element.tail:
            element.tail = _NOT_XML.sub("\ufffd", element.tail)
        for name, value in element.attrib.items():
            element.attrib[name] = _NOT_XML.sub("\ufffd", value)
    return root


def render(ctx: RenderContext) -> bytes:
    result = ctx.result
    checks = result.unique_checks()
    controls_of: dict[str, list[str]] = {}
    for control in result.controls:
        for check in control.checks:
            controls_of.setdefault(check.id, []).append(control.control.id)
    suite = ET.Element("testsuite", {
        "name": f"hds-audit {result.tenant.name} {result.period.label}",
        "tests": str(len(checks)),
        "failures": str(sum(c.status is Status.FAIL for c in checks)),
        "errors": str(sum(c.status is Status.ERROR for c in checks)),
        "skipped": str(sum(c.status in (Status.NOT_APPLICABLE, Status.MANUAL) for c in checks)),
    })
    disagreement = review_headline(result)
    if disagreement:  # CI servers show a suite's properties on its page
        ET.SubElement(ET.SubElement(suite, "properties"), "property", {"name": "auditor-disagreements", "value": disagreement})
    for check in checks:
        case = ET.SubElement(suite, "testcase", {"classname": check.id.split(".")[0], "name": check.id})
        # times to the second, as every report shows them (results.json keeps the milliseconds)
        body = "\n".join(f"[{f.status.value}] {f.object}: {to_seconds(f.message)} ({', '.join(f.evidence)})" for f in check.findings)
        body += f"\ncontrols: {', '.join(sorted(set(controls_of.get(check.id, []))))}"
        if check.status is Status.FAIL:
            ET.SubElement(case, "failure", {"message": f"{sum(f.status is Status.FAIL for f in check.findings)} finding(s)", "type": "fail"}).text = body
        elif check.status is Status.ERROR:
            ET.SubElement(case, "error", {"message": "could not conclude: evidence absent or invalid", "type": "error"}).text = body
        elif check.status in (Status.NOT_APPLICABLE, Status.MANUAL):
            ET.SubElement(case, "skipped", {"message": f"{check.status.value}: {check.note or ''}"})
        elif check.status is Status.WAIVED:
            ET.SubElement(case, "system-out").text = body
    for dropped in result.dropped:  # a binding dropped on purpose: its checks are shown as skipped, not left out
        for check_id in dropped.checks:
            case = ET.SubElement(suite, "testcase", {"classname": check_id.split(".")[0], "name": f"{check_id} [{dropped.binding}]"})
            ET.SubElement(case, "skipped", {"message": f"dropped on purpose ({dropped.by}): binding '{dropped.binding}' matches no rule"})
    if result.dropped:
        suite.set("tests", str(len(checks) + sum(len(d.checks) for d in result.dropped)))
        suite.set("skipped", str(int(suite.get("skipped")) + sum(len(d.checks) for d in result.dropped)))
    ET.indent(xml_safe(suite))
    return ET.tostring(ET.ElementTree(suite).getroot(), encoding="utf-8", xml_declaration=True) + b"\n"
