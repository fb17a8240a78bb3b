"""Signed documents and their records: one-page PDFs, attestations and provider certificates in YAML."""

from __future__ import annotations

import textwrap

from hds_audit.bundle_writer.files import q


def tiny_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF (Helvetica, WinAnsi text) with a correct cross-reference table."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 14 Tf", "56 780 Td", "22 TL", f"({esc(title)}) Tj", "/F1 10 Tf", "15 TL", "T*"]
    for line in lines:
        ops.append(f"({esc(line)}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def document_lines(org: str, version: str, approved: str, owner: str, body: str) -> list[str]:
    lines = [f"{org}", f"Version {version} - approved {approved} - owner: {owner}", ""]
    for paragraph in body.split("\n"):
        lines += textwrap.wrap(paragraph, 92) or [""]
    lines += ["", "Sample document of the hds-audit evidence bundles. Fictitious organisation."]
    return lines


def attestation_yaml(control: str, statement: str, owner: str, signed_at: str, document: str, sha256: str) -> str:
    return "\n".join([f"control: {q(control)}", f"statement: {q(statement)}", f"owner: {q(owner)}",
                      f"signed_at: {signed_at}", f"document: {document}", f"sha256: {sha256}", ""])


def certificate_yaml(kind: str, issuer: str, valid_from: str, valid_until: str, document: str, sha256: str) -> str:
    return "\n".join([f"kind: {kind}", f"issuer: {q(issuer)}", f"valid_from: {valid_from}", f"valid_until: {valid_until}",
                      f"document: {document}", f"sha256: {sha256}", ""])
