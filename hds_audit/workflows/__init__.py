"""What people do around a run, each on the pipeline's results: review (the auditor's round trip),
baseline and drift (the gate of a CI pipeline), doctor and scaffold (before a run), proofs
(documents for a DPO)."""
