"""Event classifiers from a user's transformers model: a multi-label head or zero-shot NLI.

`--model PATH_OR_NAME` names a model directory or a Hugging Face hub name that is already in
the local cache: riskwatch never downloads at run time. Articles are read in windows of whole
sentences (nlp/windows.py); an article's score for a label is its best window's, and the
evidence is the best sentence of that window.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from pathlib import Path

from nlp.classify import LABELS, Classifier, EventTag
from nlp.windows import MAX_TOKENS, Window, split_windows
from riskwatch.errors import ModelError, UnknownModelError

log = logging.getLogger(__name__)

BATCH_SIZE = 16
THRESHOLD = 0.5
# Head labels that mean "no event": a multi-class head needs one, riskwatch never emits it.
NONE_LABELS = frozenset({"none", "other", "no_event", "noevent", "null", "o"})
# Hypotheses follow docs/labels.md: the event happened to a firm, not merely planned or probed.
HYPOTHESES = {
    "data_breach": "This news reports that a company's personal, user or customer data was "
    "leaked, stolen, hacked or exposed.",
    "regulatory_fine": "This news reports that a regulator, authority or court has imposed a "
    "fine or penalty on a company.",
    "ipo_suspension": "This news reports that a company's IPO or stock market listing was "
    "suspended, postponed, withdrawn or terminated.",
}
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")
_MAX_LENGTH = 512  # when neither the tokenizer nor the config states a usable one


def load_hf_classifier(name_or_path: str) -> Classifier:
    """Load a sequence-classification or NLI model from a directory or the local hub cache.

    Args:
        name_or_path: a model directory, or a hub name such as "org/model" already downloaded.

    Returns:
        A `SequenceClassificationModel` or, for an NLI model, a `NliZeroShotModel`.

    Raises:
        UnknownModelError: neither a directory nor a cached hub model.
        ModelError: found, but not a usable classification or NLI model.
    """
    directory, name, commit = _locate(name_or_path)
    config = _read_config(directory, name_or_path)
    version = commit[:12] if commit else _directory_version(directory)
    tokenizer, model = _load(directory, config, name_or_path)
    entail = _nli_indices(config)
    if entail is not None:
        return NliZeroShotModel(tokenizer, model, f"hf:{name}", version, *entail)
    return SequenceClassificationModel(tokenizer, model, f"hf:{name}", version)


def _locate(name_or_path: str) -> tuple[Path, str, str | None]:
    """The model's directory, its display name and its hub commit (None for a directory)."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path, path.resolve().name, None
    if path.exists():
        raise ModelError(f"{name_or_path}: is a file; --model wants a model directory or hub name")
    if _looks_like_path(name_or_path):  # no hub name has these; spare the hub import
        raise UnknownModelError(_not_found(name_or_path))
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        snapshot = Path(snapshot_download(name_or_path, local_files_only=True))
    except (HFValidationError, LocalEntryNotFoundError) as err:
        raise UnknownModelError(_not_found(name_or_path)) from err
    return snapshot, name_or_path, snapshot.name


def _looks_like_path(name: str) -> bool:
    return name.startswith(("/", ".", "~")) or name.count("/") > 1


def _not_found(name: str) -> str:
    if _looks_like_path(name):
        hint = "check the path, or for a hub model run `hf download ORG/MODEL` and pass that name"
    else:
        hint = f"riskwatch never downloads: run `hf download {name}`, then pass {name} again"
    where = "not a directory and not in the local Hugging Face cache"
    return f"unknown model {name!r}: {where}; {hint}"


def _read_config(directory: Path, name: str):
    if not (directory / "config.json").is_file():
        raise ModelError(f"{name}: no config.json in {directory}; is it a transformers model?")
    from transformers import AutoConfig

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = AutoConfig.from_pretrained(directory, local_files_only=True)
    except (OSError, ValueError) as err:
        raise ModelError(f"{name}: unreadable config.json: {_first_line(err)}") from err
    architectures = getattr(config, "architectures", None) or []
    if architectures and not any(a.endswith("ForSequenceClassification") for a in architectures):
        raise ModelError(
            f"{name}: a {architectures[0]} is neither a sequence-classification nor an NLI model"
        )
    return config


def _nli_indices(config) -> tuple[int, int] | None:
    """(entailment, contradiction) output indices when the model is NLI, else None."""
    names = {str(k).lower(): int(v) for k, v in (config.label2id or {}).items()}
    if "entailment" in names and "contradiction" in names:
        return names["entailment"], names["contradiction"]
    return None


def _load(directory: Path, config, name: str):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from nlp.e5.encoder import quiet_transformers

    quiet_transformers()
    try:
        # Third-party models warn about their own deprecated settings; none is the user's to fix.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
            model, info = AutoModelForSequenceClassification.from_pretrained(
                directory, config=config, local_files_only=True, output_loading_info=True
            )
    except (OSError, ValueError) as err:
        raise ModelError(f"{name}: cannot be loaded: {_first_line(err)}") from err
    if info.get("missing_keys"):
        missing = sorted(info["missing_keys"])[0]
        raise ModelError(
            f"{name}: its weights have no classification head ({missing} is missing); "
            "is it a sequence-classification or NLI model?"
        )
    model.eval()
    return tokenizer, model


def _first_line(err: Exception) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def _directory_version(directory: Path) -> str:
    """Short hash of config.json and the weight files' names and sizes."""
    digest = hashlib.sha256((directory / "config.json").read_bytes())
    for path in sorted(directory.iterdir()):
        if path.suffix in _WEIGHT_SUFFIXES:
            digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:12]


class _WindowedModel:
    """Windows in, per-label scores out; subclasses say how a batch of texts is scored."""

    name: str
    version: str
    labels: tuple[str, ...]

    def __init__(self, tokenizer, model, name: str, version: str, reserve: int = 0):
        self.tokenizer = tokenizer
        self.model = model
        self.name = name
        self.version = version
        self.max_length = _model_max_length(tokenizer, model.config)
        # Room for special tokens (and an NLI hypothesis) so a window reaches the model whole.
        self.window_tokens = max(16, min(MAX_TOKENS, self.max_length - reserve - 4))
        self.thresholds = {label: THRESHOLD for label in self.labels}

    def classify(self, texts: list[str]) -> list[list[EventTag]]:
        """Per text, the labels whose best window scores at least the label's threshold."""
        windows = [split_windows(t, self._count_tokens, self.window_tokens) for t in texts]
        flat = [w for ws in windows for w in ws]
        scores = self._score([w.text for w in flat]) if flat else []
        fired, start = [], 0
        for ws in windows:
            fired.append(self._fired(scores[start : start + len(ws)], start))
            start += len(ws)
        evidence = self._evidence(flat, [hit for hits in fired for hit in hits])
        return [
            [EventTag(self.labels[j], score, evidence[(w, j)]) for j, score, w in hits]
            for hits in fired
        ]

    def _fired(self, window_scores, offset: int) -> list[tuple[int, float, int]]:
        """(label index, score, global window index) for each label that fired."""
        hits = []
        for j, label in enumerate(self.labels):
            best = max(range(len(window_scores)), key=lambda i: window_scores[i][j], default=None)
            if best is not None and window_scores[best][j] >= self.thresholds[label]:
                hits.append((j, float(window_scores[best][j]), offset + best))
        return hits

    def _evidence(self, flat: list[Window], hits) -> dict[tuple[int, int], str]:
        """The best sentence for each (window, label) hit, scoring multi-sentence windows once."""
        evidence = {(w, j): flat[w].sentences[0] for j, _, w in hits}
        long = sorted({w for _, _, w in hits if len(flat[w].sentences) > 1})
        sentences = [s for w in long for s in flat[w].sentences]
        scores = self._score(sentences) if sentences else []
        spans, start = {}, 0
        for w in long:
            spans[w] = (start, start + len(flat[w].sentences))
            start = spans[w][1]
        for j, _, w in hits:
            if w in spans:
                lo, hi = spans[w]
                best = max(range(lo, hi), key=lambda i: scores[i][j])
                evidence[(w, j)] = sentences[best]
        return evidence

    def _count_tokens(self, sentences: list[str]) -> list[int]:
        return _token_counts(self.tokenizer, sentences)

    def _batches(self, count: int, length):
        """Index batches, shortest texts together so little of each batch is padding."""
        order = sorted(range(count), key=length)
        for start in range(0, count, BATCH_SIZE):
            yield order[start : start + BATCH_SIZE]

    def _score(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError


def _token_counts(tokenizer, texts: list[str]) -> list[int]:
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]


def _model_max_length(tokenizer, config) -> int:
    stated = getattr(tokenizer, "model_max_length", None)
    length = stated if isinstance(stated, int) and stated < 100_000 else _MAX_LENGTH
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 2:
        # RoBERTa-style position ids start after the padding index: two positions are spent.
        length = min(length, positions - 2)
    return length


class SequenceClassificationModel(_WindowedModel):
    """A multi-label head: one sigmoid per label named in the config's id2label."""

    def __init__(self, tokenizer, model, name: str, version: str):
        config = model.config
        id2label = {int(i): str(label) for i, label in config.id2label.items()}
        if any(label.upper().startswith("LABEL_") for label in id2label.values()):
            raise ModelError(
                f"{name}: its labels are unnamed ({id2label[min(id2label)]}); set id2label in "
                'config.json to the event names, e.g. {"0": "data_breach", ...}'
            )
        self._outputs = [i for i in sorted(id2label) if not _is_none_label(id2label[i])]
        if not self._outputs:
            raise ModelError(f"{name}: every label in id2label means 'no event'")
        self.labels = tuple(id2label[i] for i in self._outputs)
        super().__init__(tokenizer, model, name, version)
        self.thresholds.update(_thresholds(config, self.labels, name))

    def _score(self, texts: list[str]) -> list[list[float]]:
        import torch

        out: list[list[float]] = [[] for _ in texts]
        with torch.inference_mode():
            for batch in self._batches(len(texts), lambda i: len(texts[i])):
                encoded = self.tokenizer(
                    [texts[i] for i in batch],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                logits = self.model(**encoded).logits[:, self._outputs].float()
                for i, row in zip(batch, logits.sigmoid().tolist(), strict=True):
                    out[i] = row
        return out


def _is_none_label(label: str) -> bool:
    return label.strip().lower().replace("-", "_").replace(" ", "_") in NONE_LABELS


def _thresholds(config, labels: tuple[str, ...], name: str) -> dict[str, float]:
    """The config's optional `riskwatch_thresholds` {label: float}, checked."""
    given = getattr(config, "riskwatch_thresholds", None) or {}
    if not isinstance(given, dict):
        raise ModelError(f"{name}: riskwatch_thresholds in config.json must be {{label: number}}")
    for label, value in given.items():
        if label not in labels:
            raise ModelError(
                f"{name}: riskwatch_thresholds.{label}: not one of its labels ({', '.join(labels)})"
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ModelError(f"{name}: riskwatch_thresholds.{label}: {value!r} is not in [0, 1]")
    return {label: float(value) for label, value in given.items()}


class NliZeroShotModel(_WindowedModel):
    """Zero-shot: P(entailment) against contradiction, per label hypothesis (multi-label)."""

    labels = LABELS

    def __init__(self, tokenizer, model, name: str, version: str, entail: int, contradict: int):
        self._pair = [entail, contradict]
        self.hypotheses = [HYPOTHESES[label] for label in self.labels]
        reserve = max(_token_counts(tokenizer, self.hypotheses))
        super().__init__(tokenizer, model, name, version, reserve=reserve)

    def _score(self, texts: list[str]) -> list[list[float]]:
        import torch

        pairs = [(t, h) for t in texts for h in self.hypotheses]
        probs: list[float] = [0.0] * len(pairs)
        with torch.inference_mode():
            for batch in self._batches(len(pairs), lambda i: len(pairs[i][0])):
                encoded = self.tokenizer(
                    [pairs[i][0] for i in batch],
                    [pairs[i][1] for i in batch],
                    padding=True,
                    truncation="only_first",
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                logits = self.model(**encoded).logits[:, self._pair].float()
                for i, p in zip(batch, logits.softmax(-1)[:, 0].tolist(), strict=True):
                    probs[i] = p
        n = len(self.hypotheses)
        return [probs[k : k + n] for k in range(0, len(probs), n)]
