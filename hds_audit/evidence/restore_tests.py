"""`restore_tests.csv|.xlsx` (optional): restore tests of backups, one row per test.

Read against `evidence/contracts/restore_tests.yaml`: `tested_at` (a date alone is 00:00
Europe/Paris), `resource_id`, `backup_id`, `result` (success or failure), `record`.
"""

from __future__ import annotations

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence
from hds_audit.evidence.tabular import Row, read_table

NAME = "restore_tests"
DESCRIPTION = "restore_tests.csv|.xlsx: restore tests of backups"


def load(bundle: Bundle, tenant=None) -> Evidence[list[Row]]:
    return read_table(bundle, NAME)
