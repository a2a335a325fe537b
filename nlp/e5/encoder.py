"""Sentence vectors from the converted e5 encoder: prefix, mean pooling over the mask.

The default backend is torch with int8 dynamic quantisation of every Linear layer (about 2x
the fp32 encoder on 2 cores; vectors within ~0.99 cosine of fp32); "torch" is the fp32
reference. Batches are formed from texts of similar length so little compute goes to padding.

An optional gate makes the encoder stop early: after `early_layer` blocks, texts the gate
rejects (a cheap "clearly no event" check on the pooled early states) skip the remaining
blocks. Most news reports no event, so most of it costs a quarter of a full pass.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QUERY, PASSAGE = "query: ", "passage: "
BACKENDS = ("torch-int8", "torch")


def quiet_transformers() -> None:
    """No per-load progress bars or hub chatter in a command-line tool."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def cpu_threads() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


@dataclass
class Encoded:
    final: np.ndarray  # (n, dim) mean of the last layer; zeros where the gate stopped a text
    early: np.ndarray | None  # (n, dim) mean after `early_layer` blocks, when asked for
    passed: np.ndarray  # (n,) bool: went through every block
    spans: list[np.ndarray]  # per text, (spans, dim) last-layer means over each char span


class Encoder:
    def __init__(self, directory: Path, backend: str = "torch-int8", max_length: int = 512):
        import torch
        from tokenizers import Tokenizer
        from transformers import BertModel

        if backend not in BACKENDS:
            raise ValueError(f"unknown encoder backend {backend!r} (known: {', '.join(BACKENDS)})")
        quiet_transformers()
        torch.set_num_threads(cpu_threads())
        directory = Path(directory)
        self.backend = backend
        # The `tokenizers` object itself: AutoTokenizer around it costs ~450 MB more for a
        # 250k-piece vocabulary and adds nothing we use.
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.pad_id = self.tokenizer.token_to_id("<pad>")
        self.max_length = max_length
        model = BertModel.from_pretrained(directory, add_pooling_layer=False).eval()
        self.dim = model.config.hidden_size
        if backend == "torch-int8":
            with warnings.catch_warnings():
                # torch 2.13 points new code at torchao; the eager API still works and is pinned.
                warnings.simplefilter("ignore")
                # per output channel: ~0.99 cosine to fp32, where one scale per matrix gives ~0.98
                per_channel = {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig}
                model = torch.ao.quantization.quantize_dynamic(
                    model,
                    per_channel,
                    dtype=torch.qint8,
                    inplace=True,  # no fp32 copy
                )
        self.model = model

    def token_counts(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self.tokenizer.encode_batch(texts)]

    def encode(
        self,
        texts: list[str],
        prefix: str = QUERY,
        batch_size: int = 16,
        spans: list[list[tuple[int, int]]] | None = None,
        early_layer: int | None = None,
        gate: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> Encoded:
        """Run the encoder over `texts` (see `Encoded`).

        spans: character ranges per text whose in-context token states are averaged too (a
            sentence read inside its window, at no extra pass).
        early_layer, gate: pool after that many blocks; texts for which gate(pooled) is False
            stop there.
        """
        n = len(texts)
        result = Encoded(
            final=np.zeros((n, self.dim), dtype=np.float32),
            early=np.zeros((n, self.dim), dtype=np.float32) if early_layer else None,
            passed=np.zeros(n, dtype=bool),
            spans=[np.zeros((len(s), self.dim), dtype=np.float32) for s in spans or [[]] * n],
        )
        prefixed = [prefix + t for t in texts]
        # Sorting by length keeps padding (wasted compute) small inside each batch.
        order = sorted(range(n), key=lambda i: len(prefixed[i]))
        for start in range(0, n, batch_size):
            chunk = order[start : start + batch_size]
            self._encode_batch(
                [prefixed[i] for i in chunk], chunk, len(prefix), spans, early_layer, gate, result
            )
        return result

    def _encode_batch(self, batch_texts, chunk, prefix_len, spans, early_layer, gate, result):
        import torch
        from transformers.masking_utils import create_bidirectional_mask

        batch = self._tokenize(batch_texts)
        mask = batch["attention_mask"]
        layers = self.model.encoder.layer
        split = early_layer or len(layers)
        rows = np.arange(len(chunk))
        with torch.inference_mode():
            hidden = self.model.embeddings(input_ids=batch["input_ids"])
            full_mask = create_bidirectional_mask(
                config=self.model.config, inputs_embeds=hidden, attention_mask=mask
            )
            for layer in layers[:split]:
                hidden = layer(hidden, full_mask)
            if early_layer:
                early = _mean(hidden, mask)
                result.early[chunk] = early
                if gate is not None:
                    keep = np.asarray(gate(early), dtype=bool)
                    if not keep.any():
                        return
                    rows = np.flatnonzero(keep)
                    index = torch.from_numpy(rows)
                    hidden, mask = hidden[index], mask[index]
                    full_mask = create_bidirectional_mask(
                        config=self.model.config, inputs_embeds=hidden, attention_mask=mask
                    )
            for layer in layers[split:]:
                hidden = layer(hidden, full_mask)
            hidden_np = hidden.numpy()
        kept = [chunk[r] for r in rows]
        result.final[kept] = _mean(hidden, mask)
        result.passed[kept] = True
        if spans is None:
            return
        starts = batch["offset_mapping"][rows, :, 0].numpy()
        content = ((batch["special_tokens_mask"][rows] == 0) & (mask == 1)).numpy()
        for row, i in enumerate(kept):
            for k, (a, b) in enumerate(spans[i]):
                inside = (
                    content[row] & (starts[row] >= a + prefix_len) & (starts[row] < b + prefix_len)
                )
                # a span cut off by truncation falls back to the whole text
                result.spans[i][k] = (
                    hidden_np[row][inside].mean(0) if inside.any() else result.final[i]
                )

    def _tokenize(self, texts: list[str]) -> dict:
        """Padded tensors plus offsets, truncated to max_length (keeping the final </s>)."""
        import torch

        encodings = self.tokenizer.encode_batch(texts)
        for e in encodings:
            if len(e.ids) > self.max_length:
                e.truncate(self.max_length)
        width = max(len(e.ids) for e in encodings)
        n = len(encodings)
        ids = np.full((n, width), self.pad_id, dtype=np.int64)
        mask = np.zeros((n, width), dtype=np.int64)
        special = np.ones((n, width), dtype=np.int64)
        offsets = np.zeros((n, width, 2), dtype=np.int64)
        eos = self.tokenizer.token_to_id("</s>")
        for row, e in enumerate(encodings):
            length = len(e.ids)
            ids[row, :length] = e.ids
            if e.ids[-1] != eos:  # truncated: close the sequence as the model expects
                ids[row, length - 1] = eos
            mask[row, :length] = 1
            special[row, :length] = e.special_tokens_mask
            offsets[row, :length] = e.offsets
            if ids[row, length - 1] == eos:
                special[row, length - 1], offsets[row, length - 1] = 1, (0, 0)
        return {
            "input_ids": torch.from_numpy(ids),
            "attention_mask": torch.from_numpy(mask),
            "special_tokens_mask": torch.from_numpy(special),
            "offset_mapping": torch.from_numpy(offsets),
        }

    def features(self, texts: list[str], prefix: str = QUERY, batch_size: int = 16) -> np.ndarray:
        """Per text, the mean of the last layer's hidden states (not normalised)."""
        return self.encode(texts, prefix, batch_size).final

    def embed(self, texts: list[str], prefix: str = QUERY, batch_size: int = 16) -> np.ndarray:
        """One L2-normalised vector per text, in input order (e5's sentence embedding)."""
        vectors = self.features(texts, prefix, batch_size)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _mean(hidden, mask) -> np.ndarray:
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return ((hidden * weights).sum(1) / weights.sum(1).clamp(min=1)).numpy()
