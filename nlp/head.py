"""The trained part of the default classifier: a small multi-label MLP over encoder features.

A head lives in a directory: `head.json` (labels, thresholds, which encoder layers it reads,
how it was trained and how it scored) and `head.safetensors` (weights, a few hundred KB).
`nlp/heads/default/` is the one riskwatch ships; `python -m nlp.train` writes new ones.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from riskwatch.errors import ModelError

SPEC_FILE, WEIGHTS_FILE = "head.json", "head.safetensors"
DEFAULT_HEAD = Path(__file__).resolve().parent / "heads" / "default"


@dataclass
class HeadSpec:
    labels: list[str]
    thresholds: dict[str, float]
    encoder: str = "multilingual-e5-small"
    backend: str = "torch-int8"  # the encoder backend the features were computed with
    prefix: str = "query: "
    # The cheap first pass: after `gate_layer` blocks a small "any event?" MLP decides whether
    # a text needs the remaining blocks; a gate_threshold of 0 runs every text in full.
    gate_layer: int = 3
    gate_threshold: float = 0.0
    gate_hidden: int = 128
    hidden: int = 256
    members: int = 5  # independently seeded MLPs whose probabilities are averaged
    dropout: float = 0.2
    seed: int = 13
    version: str = "0"
    training: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)

    in_features: int = 384


class Head(torch.nn.Module):
    def __init__(self, spec: HeadSpec):
        super().__init__()
        self.spec = spec
        self.register_buffer("mean", torch.zeros(spec.in_features))
        self.register_buffer("scale", torch.ones(spec.in_features))
        self.members = torch.nn.ModuleList(
            _mlp(spec.in_features, spec.hidden, len(spec.labels), spec.dropout)
            for _ in range(spec.members)
        )
        self.register_buffer("gate_mean", torch.zeros(spec.in_features))
        self.register_buffer("gate_scale", torch.ones(spec.in_features))
        self.gate = _mlp(spec.in_features, spec.gate_hidden, 1, spec.dropout)

    def logits(self, features: torch.Tensor, member: int) -> torch.Tensor:
        return self.members[member]((features - self.mean) / self.scale)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """(n, labels) sigmoid probabilities, averaged over members."""
        self.eval()
        with torch.inference_mode():
            x = torch.from_numpy(np.asarray(features, dtype=np.float32))
            probs = [torch.sigmoid(self.logits(x, m)) for m in range(len(self.members))]
            return torch.stack(probs).mean(0).numpy()

    def gate_logits(self, early: torch.Tensor) -> torch.Tensor:
        return self.gate((early - self.gate_mean) / self.gate_scale)[:, 0]

    def gate_probabilities(self, early: np.ndarray) -> np.ndarray:
        """(n,) probability that a text reports any event, read after `gate_layer` blocks."""
        self.eval()
        with torch.inference_mode():
            return torch.sigmoid(self.gate_logits(torch.from_numpy(early))).numpy()

    def gate_pass(self, early: np.ndarray) -> np.ndarray:
        """Which texts go on through the remaining blocks."""
        return self.gate_probabilities(early) >= self.spec.gate_threshold

    def save(self, directory: Path) -> None:
        from safetensors.torch import save_file

        directory.mkdir(parents=True, exist_ok=True)
        state = {k: v.contiguous() for k, v in self.state_dict().items()}
        save_file(state, directory / WEIGHTS_FILE)
        text = json.dumps(asdict(self.spec), indent=2, ensure_ascii=False)
        (directory / SPEC_FILE).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Head:
        """Raises ModelError when the directory holds no readable head."""
        from safetensors.torch import load_file

        try:
            spec = HeadSpec(**json.loads((directory / SPEC_FILE).read_text(encoding="utf-8")))
            head = cls(spec)
            head.load_state_dict(load_file(directory / WEIGHTS_FILE))
        except (OSError, ValueError, TypeError, RuntimeError) as err:
            raise ModelError(f"{directory}: not a usable riskwatch head ({err})") from err
        head.eval()
        return head


def _mlp(inputs: int, hidden: int, outputs: int, dropout: float) -> torch.nn.Sequential:
    return torch.nn.Sequential(
        torch.nn.Linear(inputs, hidden),
        torch.nn.GELU(),
        torch.nn.Dropout(dropout),
        torch.nn.Linear(hidden, outputs),
    )


def is_head_dir(path: Path) -> bool:
    return (path / SPEC_FILE).is_file()
