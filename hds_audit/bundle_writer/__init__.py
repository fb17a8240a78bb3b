"""Write evidence bundles in the formats of the contract: the one writer behind the sample bundles
(samples/generate.py), the benchmark's bundles (bench/generate.py) and the tests' bundles.

Standard library only, and deterministic: ids are digests of names, jitter comes from fixed-seed
generators, gzip files carry mtime=0. The audit itself never imports this package.
"""
