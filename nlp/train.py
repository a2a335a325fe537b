"""Train a head for the default classifier (`python -m nlp.train`).

    python -m nlp.train                                  # the shipped head, from nlp/data
    python -m nlp.train --data nlp/data --data mine.jsonl \\
        --labels data_breach,regulatory_fine,ipo_suspension,regulatory_probe --out myhead
    riskwatch classify --model myhead < items.jsonl

Seeded and deterministic on one machine. Encoder features are cached per text in the data
directory, so retraining after adding examples only encodes the new ones. Thresholds are
chosen on out-of-fold scores of the training items; the dev split is only ever reported on.
About 2.5 minutes for the shipped head on 2 cores (5 folds x 5 members, then the final fit).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import torch

from nlp.classify import LABELS
from nlp.dataset import Example, data_files, load_examples
from nlp.e5.cache import CONVERTER_VERSION
from nlp.head import DEFAULT_HEAD, Head, HeadSpec
from nlp.metrics import best_threshold, scores, scores_by
from nlp.sentences import split_sentences
from riskwatch.errors import RiskwatchError

log = logging.getLogger(__name__)

# Share of validation items with an event the first pass must let through.
GATE_RECALL = 0.99


class FeatureCache:
    """Encoder features by text hash (early and final layer), one .npz per encoder setting."""

    def __init__(self, spec: HeadSpec):
        from nlp.e5.cache import data_dir

        setting = [spec.encoder, spec.backend, spec.prefix, spec.gate_layer, CONVERTER_VERSION]
        key = hashlib.sha1(json.dumps(setting).encode()).hexdigest()[:12]
        self.path = data_dir() / "cache" / f"features-{key}.npz"
        self.spec = spec
        self.rows: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as stored:
                self.rows = dict(zip(stored["keys"].tolist(), stored["values"], strict=True))

    def features(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(early, final) features of every text, encoding only those not seen before."""
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        missing = dict(zip(keys, texts, strict=True))
        missing = {k: t for k, t in missing.items() if k not in self.rows}
        if missing:
            from nlp.e5.cache import ensure_model
            from nlp.e5.encoder import Encoder

            print(f"encoding {len(missing)} new texts ...", file=sys.stderr)
            encoder = Encoder(ensure_model(print), backend=self.spec.backend)
            encoded = encoder.encode(
                list(missing.values()), self.spec.prefix, early_layer=self.spec.gate_layer or None
            )
            early = encoded.final if encoded.early is None else encoded.early
            both = np.concatenate([early, encoded.final], axis=1)
            self.rows.update(zip(missing, both, strict=True))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(
                self.path, keys=np.array(list(self.rows)), values=np.stack(list(self.rows.values()))
            )
        both = np.stack([self.rows[k] for k in keys]) if keys else np.zeros((0, 768), np.float32)
        half = both.shape[1] // 2
        return both[:, :half], both[:, half:]


def fit_gate(head: Head, early: np.ndarray, any_event: np.ndarray, epochs: int) -> None:
    """The cheap first pass: one sigmoid for "reports some event", on early-layer features."""
    x = torch.from_numpy(early)
    _standardise(head.gate_mean, head.gate_scale, x)
    target = torch.from_numpy(any_event.astype(np.float32))
    _train_net(head.gate, lambda: head.gate_logits(x), target, head.spec.seed, epochs)


def _standardise(mean: torch.Tensor, scale: torch.Tensor, x: torch.Tensor) -> None:
    mean.copy_(x.mean(0))
    scale.copy_(x.std(0) + 1e-6)


def _train_net(net: torch.nn.Module, logits, target: torch.Tensor, seed: int, epochs: int) -> None:
    """Seeded fresh weights, then full-batch AdamW on binary cross-entropy of `logits()`."""
    torch.manual_seed(seed)
    for layer in net:
        if isinstance(layer, torch.nn.Linear):
            layer.reset_parameters()
    optimiser = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)
    net.train()
    for _ in range(epochs):
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits(), target)
        loss.backward()
        optimiser.step()
    net.eval()


def gate_examples(pool, early, y, fold_of, cache):
    """What the first pass learns from: every item, and each of its sentences on its own.

    A gate fitted on whole items alone learned their length and shape and stopped short
    texts it had not seen (4 of 11 one-sentence probes passed); with the sentences, which
    carry their item's "any event" label, it lets short reports through. Rows after the
    first len(pool) are sentences; each keeps its item's fold.
    """
    sentences, owners = [], []
    for i, example in enumerate(pool):
        parts = split_sentences(example.text)
        if len(parts) > 1:
            sentences.extend(parts)
            owners.extend([i] * len(parts))
    owners = np.array(owners, dtype=int)
    sentence_early, _ = cache.features(sentences)
    any_event = y.any(axis=1)
    gate_x = np.concatenate([early, sentence_early]) if sentences else early
    gate_y = np.concatenate([any_event, any_event[owners]]) if sentences else any_event
    gate_fold = np.concatenate([fold_of, fold_of[owners]]) if sentences else fold_of
    return gate_x, gate_y, gate_fold


def gate_threshold(probs: np.ndarray, any_event: np.ndarray, keep: float = GATE_RECALL) -> float:
    """The highest cut that still lets `keep` of the validation items with events through."""
    positives = np.sort(probs[any_event])
    if not len(positives):
        return 0.0
    cut = float(positives[int((1 - keep) * len(positives))])
    return min(cut, 0.5)


def fit(spec: HeadSpec, x: np.ndarray, y: np.ndarray, epochs: int) -> Head:
    """Full-batch AdamW on binary cross-entropy per label; one run per member, each seeded."""
    head = Head(spec)
    features = torch.from_numpy(x)
    _standardise(head.mean, head.scale, features)
    target = torch.from_numpy(y)
    for member in range(spec.members):
        _train_net(
            head.members[member],
            lambda member=member: head.logits(features, member),
            target,
            spec.seed + member,
            epochs,
        )
    head.eval()
    return head


def gated(head: Head, early: np.ndarray, final: np.ndarray) -> np.ndarray:
    """Label probabilities as the classifier computes them: zero where the gate stops."""
    probs = head.probabilities(final)
    if head.spec.gate_threshold > 0:
        stopped = ~head.gate_pass(early)
        probs[stopped] = 0.0
        print(f"  first pass stops {stopped.mean():.1%} of these items", file=sys.stderr)
    return probs


def label_matrix(examples: list[Example], labels: list[str]) -> np.ndarray:
    return np.array([[label in e.labels for label in labels] for e in examples], dtype=np.float32)


def predicted_sets(probs: np.ndarray, spec: HeadSpec) -> list[set[str]]:
    cuts = np.array([spec.thresholds[label] for label in spec.labels])
    return [{spec.labels[j] for j in np.flatnonzero(row >= cuts)} for row in probs]


def report(title: str, examples: list[Example], probs: np.ndarray, spec: HeadSpec) -> dict:
    gold = [set(e.labels) & set(spec.labels) for e in examples]
    predicted = predicted_sets(probs, spec)
    overall = scores(gold, predicted, spec.labels)
    by_lang = scores_by([e.lang for e in examples], gold, predicted, spec.labels)
    print(
        f"{title}: {len(examples)} items, macro-F1 {overall['macro_f1']:.3f}, "
        f"false alarms {overall['false_alarm']:.1%}"
    )
    for label, value in overall["per_label"].items():
        print(f"  {label:<18} F1 {value:.3f}")
    for lang, s in by_lang.items():
        print(
            f"  {lang:<8} n={s['n']:<4} macro-F1 {s['macro_f1']:.3f}  "
            f"false alarms {s['false_alarm']:.1%}"
        )
    return {
        "macro_f1": round(overall["macro_f1"], 4),
        "per_label": {k: round(v, 4) for k, v in overall["per_label"].items()},
        "false_alarm": round(overall["false_alarm"], 4),
        "per_language": {k: round(v["macro_f1"], 4) for k, v in by_lang.items()},
        "n": len(examples),
    }


def train(
    examples: list[Example],
    labels: list[str],
    spec: HeadSpec,
    epochs: int = 300,
    folds: int = 5,
    include_dev: bool = False,
) -> Head:
    """Fit a head on the training split; thresholds come from out-of-fold predictions.

    Every training item is scored once by a head that did not see it (k folds), the label
    thresholds and the first-pass cut are chosen on those scores, then the head is fitted on
    all training items. No item of the dev split is used for anything but the report.
    """
    counts = Counter(label for e in examples for label in e.labels)
    unknown = sorted(set(counts) - set(labels))
    if unknown:
        log.warning("ignoring labels not asked for: %s", ", ".join(unknown))
    train_splits = {"train", "dev"} if include_dev else {"train"}
    pool = [e for e in examples if e.split in train_splits]
    for label in labels:
        if sum(label in e.labels for e in pool) < folds:
            raise RiskwatchError(f"fewer than {folds} training examples carry the label {label!r}")
    cache = FeatureCache(spec)
    started = time.perf_counter()
    early, final = cache.features([e.text for e in pool])
    y = label_matrix(pool, labels)
    fold_of = np.array([i % folds for i in range(len(pool))])
    random.Random(spec.seed).shuffle(fold_of)
    if spec.gate_layer:
        gate_x, gate_y, gate_fold = gate_examples(pool, early, y, fold_of, cache)
    oof = np.zeros_like(y)
    oof_gate = np.zeros(len(gate_y) if spec.gate_layer else 0, dtype=np.float32)
    for k in range(folds):
        inside, held = fold_of != k, fold_of == k
        head = fit(spec, final[inside], y[inside], epochs)
        oof[held] = head.probabilities(final[held])
        if spec.gate_layer:
            fit_gate(head, gate_x[gate_fold != k], gate_y[gate_fold != k], epochs)
            oof_gate[gate_fold == k] = head.gate_probabilities(gate_x[gate_fold == k])
    spec.thresholds = {
        label: best_threshold(oof[:, j].tolist(), (y[:, j] > 0).tolist())
        for j, label in enumerate(labels)
    }
    if spec.gate_layer:
        spec.gate_threshold = gate_threshold(oof_gate, gate_y)
        oof[oof_gate[: len(pool)] < spec.gate_threshold] = 0.0
    spec.metrics = {"out_of_fold": report("training items, out of fold", pool, oof, spec)}
    head = fit(spec, final, y, epochs)
    if spec.gate_layer:
        fit_gate(head, gate_x, gate_y, epochs)
    dev = [e for e in examples if e.split == "dev" and not include_dev]
    if dev:
        early_dev, final_dev = cache.features([e.text for e in dev])
        spec.metrics["dev"] = report("dev", dev, gated(head, early_dev, final_dev), spec)
    spec.training.update(
        items=len(pool),
        folds=folds,
        epochs=epochs,
        labels={label: counts[label] for label in labels},
        seconds=round(time.perf_counter() - started, 1),
    )
    return head


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nlp.train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data", action="append", type=Path, help="JSONL file or folder (repeatable) [nlp/data]"
    )
    parser.add_argument("--labels", default=",".join(LABELS), help="comma-separated labels")
    parser.add_argument("--out", type=Path, default=DEFAULT_HEAD, help="head directory to write")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--members", type=int, default=5, help="seeded MLPs averaged")
    parser.add_argument("--folds", type=int, default=5, help="folds for choosing thresholds")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--backend", default="torch-int8", help="torch-int8 or torch (fp32)")
    parser.add_argument(
        "--gate-layer",
        type=int,
        default=3,
        help="blocks before the early-exit first pass (0: none)",
    )
    parser.add_argument("--include-dev", action="store_true", help="train on the dev split too")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    labels = [x.strip() for x in args.labels.split(",") if x.strip()]
    try:
        files = data_files(args.data)
        examples = load_examples(args.data)
        spec = HeadSpec(
            labels=labels,
            thresholds={},
            backend=args.backend,
            gate_layer=args.gate_layer,
            hidden=args.hidden,
            members=args.members,
            seed=args.seed,
        )
        digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
        spec.version = f"{date.today():%Y.%m.%d}-{digest[:8]}"
        spec.training = {
            "data_sha256": digest,
            "files": [f.name for f in files],
            "include_dev": args.include_dev,
        }
        head = train(
            examples, labels, spec, args.epochs, folds=args.folds, include_dev=args.include_dev
        )
    except RiskwatchError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    head.save(args.out)
    print(f"wrote {args.out} (labels {', '.join(labels)}; thresholds {spec.thresholds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
