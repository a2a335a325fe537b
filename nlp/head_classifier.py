"""The default classifier: the e5 encoder (int8, first blocks only) read by a trained head.

Per article: sentences grouped into windows, every window scored, the article's score per label
is its best window's; the evidence is the best-scoring sentence of that window. Sentences are
only scored for labels that fired, so the common no-event article costs one pass per window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nlp.classify import EventTag
from nlp.head import DEFAULT_HEAD, Head
from nlp.windows import Window, split_windows

log = logging.getLogger(__name__)

MAX_EVIDENCE_CHARS = 400


class HeadClassifier:
    def __init__(
        self,
        head_dir: Path = DEFAULT_HEAD,
        say: Callable[[str], None] | None = None,
        backend: str | None = None,
    ):
        from nlp.e5.cache import ensure_model
        from nlp.e5.encoder import Encoder

        self.head = Head.load(head_dir)
        spec = self.head.spec
        self.labels = tuple(spec.labels)
        self.thresholds = np.array([spec.thresholds[label] for label in spec.labels])
        self.name = "e5-head" if head_dir == DEFAULT_HEAD else f"e5-head:{head_dir.name}"
        self.version = spec.version
        self.encoder = Encoder(ensure_model(say), backend=backend or spec.backend)

    def features(self, texts: list[str]) -> np.ndarray:
        return self.encoder.features(texts, self.head.spec.prefix)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(n, labels) probabilities of texts read whole (one window each)."""
        return self.head.probabilities(self.features(texts))

    def classify(self, texts: list[str]) -> list[list[EventTag]]:
        windows = [split_windows(t, self.encoder.token_counts) for t in texts]
        flat = [w.text for ws in windows for w in ws]
        probs = self.probabilities(flat) if flat else np.zeros((0, len(self.labels)))
        # Per text, the labels that fired and the window each fired in.
        fired: list[list[tuple[int, Window, float]]] = []
        row = 0
        for ws in windows:
            p = probs[row : row + len(ws)]
            row += len(ws)
            hits = []
            if ws:
                best = p.argmax(axis=0)
                for j, cut in enumerate(self.thresholds):
                    if p[best[j], j] >= cut:
                        hits.append((j, ws[best[j]], float(p[best[j], j])))
            fired.append(hits)
        evidence = self._evidence({id(w): w for hits in fired for _, w, _ in hits}.values())
        return [
            [EventTag(self.labels[j], score, evidence[id(w)][j]) for j, w, score in hits]
            for hits in fired
        ]

    def _evidence(self, windows) -> dict[int, list[str]]:
        """Per window, for every label the sentence that scores highest on its own."""
        windows = list(windows)
        several = [w for w in windows if len(w.sentences) > 1]
        sentences = [s for w in several for s in w.sentences]
        probs = self.probabilities(sentences) if sentences else None
        out, row = {}, 0
        for w in windows:
            if len(w.sentences) == 1:
                out[id(w)] = [w.sentences[0][:MAX_EVIDENCE_CHARS]] * len(self.labels)
                continue
            p = probs[row : row + len(w.sentences)]
            row += len(w.sentences)
            out[id(w)] = [
                w.sentences[int(p[:, j].argmax())][:MAX_EVIDENCE_CHARS]
                for j in range(len(self.labels))
            ]
        return out
