"""The malformed-evidence corpus (tests/corpus/cases.yaml): bad files never crash, never pass.

Every case starts from a copy of the clean base bundle (tests/corpus/corpus_base.py), applies the
operations listed under `do`, runs every check and asserts, beside the case's own expectations:

* no exception, and no check that crashed (the engine turns a crashing check into an `error`
  "the check could not run": a bug hidden as an error is still a bug);
* no `pass` for a check that needs a kind the case broke (`affects`): `error` or `fail` only,
  unless the case says otherwise (`clean: true`, or an explicit `status`);
* every check listed under `error` is `error`, with a finding naming the file, the record and
  the reason given under `message`;
* the rest of the run complete: a check that needs none of the broken kinds keeps the status it
  has on the base bundle.

Cases marked `cli: true` run through `python -m hds_audit run` in a subprocess (no traceback,
exit 1, results.json read back); the others in-process through `hds_audit.pipeline.engine.run_checks`.
Cases with `exit:` are command-line failures (exit 2, one clear line, nothing written).
"""

from __future__ import annotations

import base64
import copy
import csv
import gzip
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bundle_builder import REGISTER_COLUMNS, TICKET_COLUMNS, trace

CORPUS = Path(__file__).parent / "corpus"
sys.path.insert(0, str(CORPUS))

from corpus_base import PERIOD, REGISTER, TICKETS, build_base  # noqa: E402

CASES: list[dict] = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))["cases"]
BY_NAME = {c["name"]: c for c in CASES}
TABLE_COLUMNS = {"access_register.csv": REGISTER_COLUMNS, "tickets.csv": TICKET_COLUMNS}
BASE_ROWS = {"access_register.csv": REGISTER, "tickets.csv": TICKETS}
KEY_PASSWORD = "corpus-key-password-0451"


# -- the base bundle and its results ----------------------------------------------------------

@pytest.fixture(scope="module")
def base_root(tmp_path_factory) -> Path:
    return build_base(tmp_path_factory.mktemp("corpus-base") / "bundle").root


@pytest.fixture(scope="module")
def needs() -> dict[str, set[str]]:
    """check id -> every evidence kind it reads (needed or optional)."""
    from hds_audit.checks.registry import all_checks

    return {k: set(s.needs) | set(s.optional) for k, s in all_checks().items()}


@pytest.fixture(scope="module")
def base_results(base_root) -> dict:
    checks, _ = checks_of(run_in_process(base_root))
    return checks


@pytest.fixture(scope="module")
def base_evidence(base_root) -> dict:
    """Every kind read from the base once: a case reads afresh only the kinds whose files it changed."""
    from hds_audit.evidence import KINDS, kind_module
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load

    tenant = load(Bundle(str(base_root)))
    return {kind: kind_module(kind).load(Bundle(str(base_root)), tenant) for kind in KINDS}


def run_in_process(root: Path, trace_limit: int | None = None, preloaded: dict | None = None) -> dict:
    from hds_audit.calendar.period import parse_period
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.evidence.traces import files as traces
    from hds_audit.pipeline.engine import run_checks

    saved = traces.MAX_DECOMPRESSED
    if trace_limit is not None:
        traces.MAX_DECOMPRESSED = trace_limit
    try:
        bundle = Bundle(str(root))
        result = run_checks(load_catalog(), bundle, load(bundle), parse_period(PERIOD), preloaded=preloaded)
    finally:
        traces.MAX_DECOMPRESSED = saved
    return json.loads(json.dumps(result.to_json()))


KIND_OF_TOP = {"traces": "traces", "resources": "resources", "backups": "backups", "attestations": "attestations",
               "provider": "provider_docs", "iam/users.json": "iam_users", "iam/mfa.json": "iam_mfa", "waivers.yaml": "waivers"}
KIND_OF_STEM = {"access_register": "access_register", "tickets": "tickets", "restore_tests": "restore_tests"}


def changed_kinds(base_root: Path, root: Path) -> set[str] | None:
    """Evidence kinds whose files differ between the base and a case; None when it cannot be told."""
    def files(folder: Path) -> dict[str, tuple[bool, bytes | None]]:
        out = {}
        for path in folder.rglob("*"):
            if path.is_file() or path.is_symlink():
                out[path.relative_to(folder).as_posix()] = (path.is_symlink(), path.read_bytes() if path.exists() else None)
        return out

    before, after = files(base_root), files(root)
    kinds: set[str] = set()
    for rel in set(before) | set(after):
        if before.get(rel) == after.get(rel):
            continue
        kind = KIND_OF_TOP.get(rel) or KIND_OF_TOP.get(rel.split("/")[0]) or KIND_OF_STEM.get(rel.split(".")[0])
        if kind is None:
            return None  # tenant.yaml or a file of no kind: read everything afresh
        kinds.add(kind)
    return kinds


def checks_of(doc: dict) -> tuple[dict[tuple[str, str], dict], dict]:
    """(control id, check id) -> the check as results.json writes it; and the evidence notes."""
    checks = {(c["id"], k["id"]): k for c in doc["controls"] for k in c["checks"]}
    return checks, doc.get("evidence_notes") or {}


# -- building a case ----------------------------------------------------------------------------

def materialize(case: dict, base_root: Path, tmp: Path) -> Path:
    root = tmp / "bundle"
    shutil.copytree(base_root, root, symlinks=True)
    outside = tmp / "outside"
    outside.mkdir()
    for step in case.get("do", []):
        (op, arg), = step.items()
        OPS[op](root, arg, outside)
    return root


def _target(root: Path, rel: str) -> Path:
    path = (root / rel).resolve()
    assert path == root.resolve() or root.resolve() in path.parents, f"corpus writes outside its bundle: {rel}"
    return path


def op_write(root: Path, arg: dict, outside: Path) -> None:
    rel = arg["path"]
    if "text" in arg:
        data = arg["text"].encode("utf-8")
    elif "json" in arg:
        data = json.dumps(arg["json"]).encode()
    elif "latin1" in arg:
        data = arg["latin1"].encode("latin-1")
    elif "base64" in arg:
        data = base64.b64decode(arg["base64"])
    else:
        raise AssertionError(f"write {rel}: say text, json, latin1 or base64")
    if arg.get("gzip"):
        data = gzip.compress(data, mtime=0)
    path = _target(root, rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def op_remove(root: Path, arg, outside: Path) -> None:
    for rel in [arg] if isinstance(arg, str) else arg:
        path = _target(root, rel)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def op_keep_only(root: Path, arg: list, outside: Path) -> None:
    keep = {_target(root, rel) for rel in arg}
    for child in list(root.iterdir()):
        if child.resolve() not in keep:
            shutil.rmtree(child) if child.is_dir() else child.unlink()


def op_copy(root: Path, arg: dict, outside: Path) -> None:
    shutil.copyfile(_target(root, arg["from"]), _target(root, arg["to"]))


def op_truncate(root: Path, arg: dict, outside: Path) -> None:
    path = _target(root, arg["path"])
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * arg.get("keep", 0.5))])


def _walk(document, dotted: str):
    """The container holding the last part of a dotted path (`users.1.name`), and that part."""
    parts = dotted.split(".")
    node = document
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    return node, int(last) if isinstance(node, list) else last


def op_edit(root: Path, arg: dict, outside: Path) -> None:
    """Change a JSON or YAML file: `set` {dotted path: value}, `delete` [dotted path], `append` {dotted path: [items]}."""
    path = _target(root, arg["path"])
    is_yaml = path.suffix in (".yaml", ".yml")
    text = path.read_text(encoding="utf-8")
    document = yaml.safe_load(text) if is_yaml else json.loads(text)
    for dotted, value in (arg.get("set") or {}).items():
        node, key = _walk(document, dotted)
        node[key] = value
    for dotted in arg.get("delete") or []:
        node, key = _walk(document, dotted)
        del node[key]
    for dotted, items in (arg.get("append") or {}).items():
        node, key = _walk(document, dotted)
        node[key].extend(items)
    path.write_text(yaml.safe_dump(document, sort_keys=False) if is_yaml else json.dumps(document, indent=1), encoding="utf-8")


def _rows(arg: dict) -> tuple[list[str], list[dict]]:
    rel = arg.get("path", "access_register.csv")
    base = TABLE_COLUMNS.get(rel.replace(".xlsx", ".csv"))
    columns = list(arg.get("columns") or base)
    rows = copy.deepcopy(BASE_ROWS.get(rel.replace(".xlsx", ".csv"), []))
    for index, changes in (arg.get("set") or {}).items():
        # {repeat: "x", times: n} stands for a long cell
        rows[int(index)].update({k: v["repeat"] * v["times"] if isinstance(v, dict) else v for k, v in changes.items()})
    rows += copy.deepcopy(arg.get("append") or [])
    return columns, rows


def op_table(root: Path, arg: dict, outside: Path) -> None:
    """Rewrite a CSV register/tickets file from the base rows, changed as told."""
    columns, rows = _rows(arg)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=arg.get("delimiter", ","), lineterminator=arg.get("newline", "\r\n"))
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    text = ("\ufeff" if arg.get("bom") else "") + buffer.getvalue()
    _target(root, arg.get("path", "access_register.csv")).write_bytes(text.encode(arg.get("encoding", "utf-8")))


def op_xlsx(root: Path, arg: dict, outside: Path) -> None:
    """The same rows as an XLSX workbook, optionally with merged header cells."""
    from openpyxl import Workbook

    columns, rows = _rows(arg)
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) or None for c in columns])
    if arg.get("merge"):
        sheet.merge_cells(arg["merge"])
    buffer = io.BytesIO()
    book.save(buffer)
    _target(root, arg["path"]).write_bytes(buffer.getvalue())


def op_traces(root: Path, arg: dict, outside: Path) -> None:
    """A trace file of records built like the base's (`user`, `at`), changed by `set` / `drop`."""
    records = []
    for spec in arg["records"]:
        spec = dict(spec)
        record = trace(spec.pop("user", None), spec.pop("at"), **{k: v for k, v in spec.items() if k not in ("set", "drop")})
        record.update(spec.get("set") or {})
        for key in spec.get("drop") or []:
            record.pop(key, None)
        records.append(record)
    shape = arg.get("shape", "array")
    if shape == "lines":
        payload = "\n".join(json.dumps(r) for r in records)
    else:
        payload = json.dumps({"traces": records} if shape == "envelope" else records)
    data = payload.encode()
    rel = arg["path"]
    _target(root, rel).parent.mkdir(parents=True, exist_ok=True)
    _target(root, rel).write_bytes(gzip.compress(data, mtime=0) if rel.endswith(".gz") else data)


def op_bomb(root: Path, arg: dict, outside: Path) -> None:
    """A small gzip that expands to `megabytes` of a JSON array of blanks (`forge_size`: its trailer lies)."""
    size = int(arg["megabytes"] * 1024 * 1024)
    stream = io.BytesIO()
    with gzip.GzipFile(fileobj=stream, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(b"[")
        chunk = b" " * (1024 * 1024)
        for _ in range(size // len(chunk)):
            gz.write(chunk)
        gz.write(b"]")
    data = stream.getvalue()
    assert len(data) < size / 100, "a bomb is small"
    if "forge_size" in arg:  # the gzip trailer's ISIZE (the size mod 2**32) says something else
        data = data[:-4] + int(arg["forge_size"]).to_bytes(4, "little")
    path = _target(root, arg["path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def op_pad(root: Path, arg: dict, outside: Path) -> None:
    """A plain JSON array of blanks of `megabytes` (a trace file too large to read, compressed or not)."""
    path = _target(root, arg["path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"[" + b" " * int(arg["megabytes"] * 1024 * 1024) + b"]")


def op_symlink(root: Path, arg: dict, outside: Path) -> None:
    """A link inside the bundle to a file outside it."""
    target = outside / arg.get("outside", "secret.pdf")
    target.write_bytes(arg.get("content", "outside the bundle").encode())
    link = root / arg["path"]
    assert root.resolve() in link.parent.resolve().parents or link.parent.resolve() == root.resolve()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


OPS = {
    "write": op_write, "remove": op_remove, "keep_only": op_keep_only, "copy": op_copy, "truncate": op_truncate,
    "edit": op_edit, "table": op_table, "xlsx": op_xlsx, "traces": op_traces, "bomb": op_bomb, "pad": op_pad, "symlink": op_symlink,
}


# -- what every case asserts -------------------------------------------------------------------

def names(finding: dict, file: str, record: str | None, reason: str | None) -> bool:
    where = [finding["object"], finding["message"], *finding.get("evidence", [])]
    return (any(file in w for w in where)
            and (record is None or any(record in w for w in where))
            and (reason is None or reason in finding["message"]))


def select(checks: dict, key: str) -> list[tuple[tuple[str, str], dict]]:
    """`check.id` (every control holding it) or `check.id@control-id`."""
    check_id, _, control = key.partition("@")
    found = [(k, v) for k, v in checks.items() if k[1] == check_id and (not control or k[0] == control)]
    assert found, f"no check {key} in the results"
    return found


def assert_outcome(case: dict, checks: dict, notes: dict, base: dict, needs: dict) -> None:
    expect = case.get("expect", {})
    affects = set(expect.get("affects", []))
    changed = set(expect.get("changed", []))  # valid changes: only explicit statuses are asserted
    explicit = {}
    for key, status in (expect.get("status") or {}).items():
        for k, _ in select(checks, key):
            explicit[k] = status
    for key in expect.get("error", []):
        for k, _ in select(checks, key):
            explicit[k] = "error"

    assert set(checks) == set(base), "every control and check of the base is still evaluated"
    for key, check in sorted(checks.items()):
        for finding in check["findings"]:
            assert "could not run" not in finding["message"], f"{key}: a check crashed: {finding['message']}"
            # Python's None is no word of the evidence (JSON says null): a message showing it leaks a bug
            assert not re.search(r"\bNone\b", finding["message"]), f"{key}: 'None' in a message: {finding['message']}"
        status = check["status"]
        if key in explicit:
            assert status == explicit[key], f"{key}: {status}, expected {explicit[key]}: {check['findings'][:3]}"
        elif needs[key[1]] & changed:
            continue
        elif needs[key[1]] & affects:
            if case.get("clean"):
                assert status == base[key]["status"], f"{key}: {status} on clean evidence, base says {base[key]['status']}"
            else:
                assert status != "pass", f"{key} passes although its evidence is broken"
        else:
            assert status == base[key]["status"], f"{key} needs none of {sorted(affects)} but went {base[key]['status']} -> {status}"

    message = expect.get("message")
    if message:
        for key in expect.get("error", []):
            for k, check in select(checks, key):
                errors = [f for f in check["findings"] if f.get("status") == "error"]
                assert any(names(f, message["file"], message.get("record"), message.get("reason")) for f in errors), (
                    f"{k}: no error finding names {message}: {errors[:4]}")
    note = expect.get("note")
    if note:
        text = notes.get(note["kind"], "")
        for part in note["contains"]:
            assert part in text, f"evidence note of {note['kind']} lacks {part!r}: {text!r}"


# -- the tests ---------------------------------------------------------------------------------

RUN_CASES = [c for c in CASES if "exit" not in c]
EXIT_CASES = [c for c in CASES if "exit" in c]


def test_corpus_is_large_and_well_formed():
    assert len(CASES) >= 40
    assert len(BY_NAME) == len(CASES), "case names are unique"
    for case in CASES:
        assert case.get("about"), case["name"]
        for step in case.get("do", []):
            assert len(step) == 1 and next(iter(step)) in OPS, (case["name"], step)
        if "exit" not in case:
            expect = case["expect"]
            assert expect.get("affects") or expect.get("changed"), case["name"]
            if expect.get("error"):
                assert expect.get("message"), f"{case['name']}: an error case names its file and record"


def test_readme_table_lists_every_case():
    text = (CORPUS / "README.md").read_text(encoding="utf-8")
    listed = {line.split("|")[1].strip().strip("`") for line in text.splitlines() if line.startswith("| `")}
    assert listed == set(BY_NAME), sorted(listed ^ set(BY_NAME))


def test_base_bundle_is_clean(base_results):
    """On the base, every check with its evidence passes: what a case breaks is the only cause."""
    statuses = {k: v["status"] for k, v in base_results.items()}
    assert "fail" not in statuses.values() and "error" not in statuses.values(), {k: v for k, v in statuses.items() if v in ("fail", "error")}
    assert statuses[("workstation-safety", "attestation.current")] == "pass"


def params(cases: list[dict]) -> list:
    """One parameter per case; a case naming a known bug in a module owned elsewhere is a strict xfail."""
    return [pytest.param(c, id=c["name"], marks=[pytest.mark.xfail(strict=True, reason=c["xfail"])] if c.get("xfail") else [])
            for c in cases]


@pytest.mark.parametrize("case", params([c for c in RUN_CASES if not c.get("cli")]))
def test_case_in_process(case, base_root, base_results, base_evidence, needs, tmp_path):
    root = materialize(case, base_root, tmp_path)
    changed = changed_kinds(base_root, root)
    expect = case["expect"]
    if changed is not None:
        declared = set(expect.get("affects", [])) | set(expect.get("changed", []))
        assert changed <= declared, f"the case changes {sorted(changed - declared)} without saying so"
    # unchanged files give the same evidence: the base's is reused, the changed kinds are read afresh
    preloaded = {k: v for k, v in base_evidence.items() if changed is not None and k not in changed}
    checks, notes = checks_of(run_in_process(root, case.get("trace_limit"), preloaded))
    assert_outcome(case, checks, notes, base_results, needs)


def hds_audit(*args: str, env: dict | None = None, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("HDS_AUDIT_", "AWS_"))}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "hds_audit", *args], capture_output=True, text=True,
                          timeout=timeout, env=full, cwd=cwd)


@pytest.mark.parametrize("case", params([c for c in RUN_CASES if c.get("cli")]))
def test_case_through_the_cli(case, base_root, base_results, needs, tmp_path):
    root = materialize(case, base_root, tmp_path)
    env = {"HDS_AUDIT_TRACE_FILE_MAX_BYTES": str(case["trace_limit"])} if case.get("trace_limit") else {}
    out = tmp_path / "out"
    proc = hds_audit("run", str(root), "--period", PERIOD, "--out", str(out), env=env, cwd=tmp_path)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    wanted = case["expect"].get("exit", 0 if case.get("clean") else 1)
    assert proc.returncode == wanted, proc.stderr
    checks, notes = checks_of(json.loads((out / "results.json").read_text(encoding="utf-8")))
    assert_outcome(case, checks, notes, base_results, needs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("case", params(EXIT_CASES))
def test_case_is_refused_by_the_cli(case, base_root, tmp_path):
    """Cases no report can be made of: exit 2, one clear line naming the cause, no traceback, no output."""
    root = materialize(case, base_root, tmp_path)
    out = tmp_path / "out"
    args = ["run", str(root), "--period", PERIOD, "--out", str(out)]
    env = {}
    special = case.get("special")
    if special == "wrong_key_password":
        proc = hds_audit("keys", "init", str(tmp_path / "key"), "--name", "Test Signer", env={"HDS_AUDIT_KEY_PASSWORD": KEY_PASSWORD}, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        args += ["--key", str(tmp_path / "key" / "signer.p12")]
        env["HDS_AUDIT_KEY_PASSWORD"] = "not-" + KEY_PASSWORD
    elif special == "refused_s3_endpoint":
        args[1] = "s3://ch-test-evidence/audits/2026-Q3"
        args += ["--s3-endpoint", f"http://127.0.0.1:{_free_port()}"]
        env.update(AWS_ACCESS_KEY_ID="AKIACORPUSTEST000042", AWS_SECRET_ACCESS_KEY="corpusTestSecret/NotARealKey+000000000",
                   AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    elif special:
        raise AssertionError(f"unknown special case {special}")
    proc = hds_audit(*args, env=env, cwd=tmp_path, timeout=120)
    text = proc.stdout + proc.stderr
    assert proc.returncode == case["exit"], text
    assert "Traceback" not in text
    lines = [line for line in proc.stderr.splitlines() if line.strip() and "DEMO identity" not in line]
    assert len(lines) == 1 and lines[0].startswith("hds-audit:"), proc.stderr
    for part in case["message"]:
        assert part in lines[0], f"{part!r} not in {lines[0]!r}"
    for secret in (KEY_PASSWORD, env.get("HDS_AUDIT_KEY_PASSWORD"), env.get("AWS_SECRET_ACCESS_KEY"), env.get("AWS_ACCESS_KEY_ID")):
        assert not secret or secret not in text, "a secret is echoed"
    assert not out.exists(), "nothing is written when no report can be made"
