"""Near-duplicate articles (syndicated wire copy) by MinHash over character shingles.

Character 5-grams of the whitespace-collapsed, lower-cased text work the same for Chinese,
which has no spaces, as for English and French. datasketch computes the signature; two texts
whose estimated Jaccard similarity reaches DUPLICATE_JACCARD are copies of one another.
"""

from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash

NUM_PERM = 64
SHINGLE = 5
DUPLICATE_JACCARD = 0.7
_SEED = 7


def signature(text: str) -> bytes:
    """The MinHash signature of `text`, as bytes to store beside the article."""
    norm = re.sub(r"\s+", " ", text or "").strip().casefold()
    shingles = {norm[i : i + SHINGLE] for i in range(max(1, len(norm) - SHINGLE + 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=_SEED)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return minhash.hashvalues.astype(np.uint64).tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    if not a or not b:
        return 0.0
    va, vb = np.frombuffer(a, dtype=np.uint64), np.frombuffer(b, dtype=np.uint64)
    return float(np.mean(va == vb))


def is_duplicate(a: bytes, b: bytes) -> bool:
    return similarity(a, b) >= DUPLICATE_JACCARD
