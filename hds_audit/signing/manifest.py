"""The manifest: SHA-256 of every file of a report directory and of every evidence file read.

One signed manifest lets an auditor check the whole directory with a single signature, and shows
which evidence the results came from even when the evidence itself was not copied.

    {"schema": "hds-audit/manifest/v1", "run_id": "...", "generated_at": "2026-10-01T09:00:00+02:00",
     "files": [{"path": "report.pdf", "sha256": "...", "size": 123, "role": "report"}, ...],
     "evidence": [{"path": "traces/...json.gz", "sha256": "...", "size": 1, "records": 1000}, ...]}

`files` lists everything in the directory that `verify` must find unchanged (paths relative to
it, POSIX); `evidence` is provenance only, paths relative to the bundle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

from hds_audit.outdir import MANIFEST_NAME, MANIFEST_SCHEMA, SIGNATURE_NAME, UNLISTED, temp_file  # noqa: F401 - re-exported

SCHEMA = MANIFEST_SCHEMA
SNAPSHOT_DIR = "evidence"
_CHUNK = 1 << 20


def sha256_file(path: Path) -> tuple[str, int]:
    """Hex SHA-256 and size of a file, read in chunks so large trace files do not fill memory."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def list_files(out_dir: Path) -> list[str]:
    """Every file under out_dir as a sorted POSIX relative path, except the manifest and its signature.

    `build_manifest` and `verify` share this walk, so "extra file" means the same thing to both.
    Hidden files count: a file slipped in beside the reports is still an extra file.
    """
    out_dir = Path(out_dir)
    found = []
    for root, dirs, files in os.walk(out_dir):
        dirs.sort()
        for name in files:
            rel = (Path(root) / name).relative_to(out_dir).as_posix()
            if rel not in UNLISTED:
                found.append(rel)
    return sorted(found)


def irregular_entries(out_dir: Path) -> dict[str, str]:
    """Entries of out_dir that are not plain files or folders (symbolic links, FIFOs, devices), with what they are.

    A report folder holds none; `verify` fails each and never opens it (a FIFO would block the read forever,
    a linked folder would vouch for files that live elsewhere).
    """
    found = {}
    for root, dirs, files in os.walk(out_dir):
        for name in dirs + files:
            path = Path(root) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                found[path.relative_to(out_dir).as_posix()] = f"is a symbolic link (to {os.readlink(path)}), not a plain file"
            elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                found[path.relative_to(out_dir).as_posix()] = "is a FIFO, a device or a socket, not a plain file"
    return found


def role_of(rel_path: str) -> str:
    if rel_path.startswith(SNAPSHOT_DIR + "/"):
        return "evidence-snapshot"
    if rel_path == "signer.pem":
        return "signer-certificate"
    return "report"


def build_manifest(
    out_dir: Path, run_id: str, generated_at: dt.datetime | str, evidence_entries: list[dict]
) -> dict:
    """The manifest for out_dir as it stands now: call it after every other file is written."""
    if isinstance(generated_at, dt.datetime):
        if generated_at.utcoffset() is None:
            # The contract wants every time with its offset; a naive time is ambiguous.
            raise ValueError("generated_at must carry a UTC offset")
        generated_at = generated_at.isoformat()
    files = []
    for rel in list_files(out_dir):
        sha, size = sha256_file(Path(out_dir) / rel)
        files.append({"path": rel, "sha256": sha, "size": size, "role": role_of(rel)})
    evidence = sorted((dict(e) for e in evidence_entries), key=lambda e: str(e.get("path", "")))
    return {
        "schema": SCHEMA,
        "run_id": str(run_id),
        "generated_at": generated_at,
        "files": files,
        "evidence": evidence,
    }


def evidence_entry(bundle_root: Path, path: Path, records: int | None = None) -> dict:
    """One `evidence` entry for a bundle file that was read (helper for the collectors)."""
    sha, size = sha256_file(path)
    entry = {"path": Path(path).relative_to(bundle_root).as_posix(), "sha256": sha, "size": size}
    if records is not None:
        entry["records"] = records
    return entry


def manifest_bytes(manifest: dict) -> bytes:
    """The exact bytes that are signed: sorted keys, indent 2, UTF-8, trailing newline."""
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_signed_manifest(out_dir: Path, manifest: dict, identity) -> None:
    """Write manifest.json and its detached CMS signature manifest.json.sig, each atomically."""
    from hds_audit.signing.cms import sign_detached

    out_dir = Path(out_dir)
    data = manifest_bytes(manifest)
    signature = sign_detached(data, identity)
    # Both temp files first, then the renames: a failure while signing or writing leaves
    # no half-written manifest, and the window where the pair disagrees is two renames long.
    tmp_manifest = temp_file(out_dir, MANIFEST_NAME, data)
    try:
        tmp_sig = temp_file(out_dir, SIGNATURE_NAME, signature)
    except BaseException:
        tmp_manifest.unlink(missing_ok=True)
        raise
    os.replace(tmp_manifest, out_dir / MANIFEST_NAME)
    os.replace(tmp_sig, out_dir / SIGNATURE_NAME)
