"""The committed sample bundles are exactly what samples/generate.py writes: same files, same bytes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _generator():
    spec = importlib.util.spec_from_file_location("samples_generate", SAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    _generator().write_all(out)
    return out


@pytest.mark.parametrize("name", ["compliant", "violations", "terminated"])
def test_committed_sample_equals_the_generator_s_output(generated, name):
    committed, fresh = _files(SAMPLES / name), _files(generated / name)
    assert sorted(committed) == sorted(fresh), "files differ: run python samples/generate.py"
    differing = [rel for rel in committed if committed[rel].read_bytes() != fresh[rel].read_bytes()]
    assert not differing, f"bytes differ from the generator's (run python samples/generate.py): {differing[:5]}"


def test_the_generator_is_deterministic(generated, tmp_path):
    _generator().write_all(tmp_path, names=("terminated",))
    again, first = _files(tmp_path / "terminated"), _files(generated / "terminated")
    assert {k: p.read_bytes() for k, p in again.items()} == {k: p.read_bytes() for k, p in first.items()}
