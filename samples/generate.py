#!/usr/bin/env python3
"""Regenerate the sample evidence bundles of hds-audit.

    python samples/generate.py            # rewrites samples/compliant, samples/violations, samples/terminated
    python samples/generate.py --out DIR  # writes the three bundles under DIR instead

The stories of the three tenants are in stories/, written through hds_audit.bundle_writer (standard
library only). The output is byte-for-byte reproducible: ids are derived from names (SHA-256),
jitter comes from fixed-seed generators that only use random.random(), and gzip files are written
with mtime=0. Every tenant, person, id, address and document here is invented;
tests/test_samples_generated.py checks that the committed bundles are exactly what this writes.

The three bundles follow CONTRACT.md section 2:
  compliant/   Centre Hospitalier de Valmont, 2026-Q3: every check passes
  violations/  Clinique des Tilleuls, 2026-Q3: deliberate violations, listed in VIOLATIONS.md
  terminated/  Laboratoire Biomedical du Lac, 2026-Q2: contract ended, deletion proofs
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # stories/ beside this file, and hds_audit of this checkout

from stories import compliant, terminated, violations  # noqa: E402

BUNDLES = ("compliant", "violations", "terminated")


def write_all(out: Path, names: tuple[str, ...] = BUNDLES) -> None:
    """Write the named bundles under `out`, each into a fresh folder of its name."""
    builds = {"compliant": compliant.build, "violations": violations.build, "terminated": terminated.build}
    for name in names:
        root = out / name
        if root.exists():
            shutil.rmtree(root)
        builds[name](root)
        files = [p for p in root.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        print(f"{name:11s} {len(files):4d} files {size / 1024:8.1f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder that receives the three bundles (default: samples/)")
    write_all(parser.parse_args().out)


if __name__ == "__main__":
    main()
