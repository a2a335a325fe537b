"""Quality figures shared by training and the benchmark: F1 per label, macro-F1, false alarms."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def scores(gold: Sequence[set[str]], predicted: Sequence[set[str]], labels: Sequence[str]) -> dict:
    """macro_f1 over `labels`, F1 per label, and the false-alarm rate: the share of items
    with no gold label on which anything fired."""
    counts = {label: [0, 0, 0] for label in labels}
    for g, p in zip(gold, predicted, strict=True):
        for label in labels:
            counts[label][0] += label in g and label in p
            counts[label][1] += label not in g and label in p
            counts[label][2] += label in g and label not in p
    per_label = {label: f1(*c) for label, c in counts.items()}
    quiet = [bool(p & set(labels)) for g, p in zip(gold, predicted, strict=True) if not g]
    return {
        "macro_f1": sum(per_label.values()) / len(labels),
        "per_label": per_label,
        "false_alarm": sum(quiet) / len(quiet) if quiet else 0.0,
        "n": len(gold),
    }


def scores_by(
    keys: Sequence[str], gold: Sequence[set[str]], predicted: Sequence[set[str]], labels
) -> dict:
    """`scores` for each group of items sharing a key (a language, a kind)."""
    groups = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    return {
        key: scores([gold[i] for i in idx], [predicted[i] for i in idx], labels)
        for key, idx in sorted(groups.items())
    }


def best_threshold(probs: Sequence[float], truth: Sequence[bool]) -> float:
    """The cut that maximises F1 on a validation split; ties go to the cut nearest 0.5."""
    best = (-1.0, 0.0, 0.5)
    for step in range(5, 96):
        cut = step / 100
        tp = sum(p >= cut and t for p, t in zip(probs, truth, strict=True))
        fp = sum(p >= cut and not t for p, t in zip(probs, truth, strict=True))
        fn = sum(p < cut and t for p, t in zip(probs, truth, strict=True))
        candidate = (f1(tp, fp, fn), -abs(cut - 0.5), cut)
        best = max(best, candidate)
    return best[2]
