"""Stable ids and fixed-seed jitter: the same names and seeds give the same bytes in every run."""

from __future__ import annotations

import hashlib
import random


class Ids:
    """Hex ids and UUIDs derived from names (never random), in a namespace of their own."""

    def __init__(self, namespace: str):
        self.namespace = namespace

    def hex(self, *parts: object, n: int = 32) -> str:
        text = "\x1f".join((self.namespace,) + tuple(str(p) for p in parts))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]

    def uuid(self, *parts: object) -> str:
        """A version-4-shaped UUID (version digit 4, variant 8 to b)."""
        h = self.hex(*parts)
        h = h[:12] + "4" + h[13:16] + "89ab"[int(h[16], 16) % 4] + h[17:]
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Rng:
    """Fixed-seed jitter built on random.random() only, whose sequence Python keeps stable."""

    def __init__(self, seed: int):
        self._r = random.Random(seed)

    def random(self) -> float:
        return self._r.random()

    def int(self, low: int, high: int) -> int:
        return low + int(self._r.random() * (high - low + 1))

    def pick(self, seq):
        return seq[int(self._r.random() * len(seq))]

    def shuffled(self, seq) -> list:
        items = list(seq)
        for i in range(len(items) - 1, 0, -1):
            j = int(self._r.random() * (i + 1))
            items[i], items[j] = items[j], items[i]
        return items

    def hex(self, n: int) -> str:
        return "".join("0123456789abcdef"[int(self._r.random() * 16)] for _ in range(n))
