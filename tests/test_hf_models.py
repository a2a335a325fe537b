"""User-named transformers models: tiny BERTs built here, loaded by path or from a fake hub cache."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    BertModel,
    PreTrainedTokenizerFast,
)
from transformers.utils import logging as hf_logging

from nlp.classify import LABELS, EventTag
from nlp.hf_models import (
    NliZeroShotModel,
    SequenceClassificationModel,
    load_hf_classifier,
)
from nlp.windows import MAX_WINDOWS
from riskwatch.errors import ModelError, UnknownModelError

VOCABULARY = (
    "the a an this that of to in and on by was were has have its it company firm regulator "
    "court fined fine penalty data user customer records leaked stolen breached hacked exposed "
    "ipo listing stock market suspended postponed withdrawn news reports said today million"
)
WORDS = VOCABULARY.split()
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

ARTICLE = (
    "The company said today its customer records were leaked. "
    "The regulator fined the firm. "
    "Its IPO was postponed."
)
SENTENCES = (
    "The company said today its customer records were leaked.",
    "The regulator fined the firm.",
    "Its IPO was postponed.",
)


def save_tokenizer(directory: Path) -> None:
    vocab = {token: i for i, token in enumerate(SPECIALS + list(".,'") + WORDS)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", 2), ("[SEP]", 3)],
    )
    PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=128,
    ).save_pretrained(directory)


def tiny_config(id2label: dict[int, str] | None = None, **extra) -> BertConfig:
    if id2label:
        extra |= {"id2label": id2label, "label2id": {v: k for k, v in id2label.items()}}
    else:
        extra |= {"num_labels": 3}
    return BertConfig(
        vocab_size=len(SPECIALS) + 3 + len(WORDS),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        **extra,
    )


def save_classifier(directory: Path, config: BertConfig, bias: list[float] | None) -> Path:
    """A tiny BERT whose logits are exactly `bias` (a zero head), or the random init's."""
    hf_logging.disable_progress_bar()
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    if bias is not None:
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.copy_(torch.tensor(bias))
    model.save_pretrained(directory)
    save_tokenizer(directory)
    return directory


SEQ_LABELS = {0: "data_breach", 1: "regulatory_fine", 2: "ipo_suspension", 3: "none"}
NLI_LABELS = {0: "entailment", 1: "neutral", 2: "contradiction"}


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def breach_model(models_dir) -> Path:
    """data_breach always on, the rest always off, and a 'none' label that is on but hidden."""
    return save_classifier(
        models_dir / "breach-only", tiny_config(SEQ_LABELS), [8.0, -8.0, -8.0, 8.0]
    )


@pytest.fixture(scope="module")
def breach_classifier(breach_model):
    return load_hf_classifier(str(breach_model))


@pytest.fixture
def offline(monkeypatch) -> list[tuple]:
    """Offline mode, and every network look-up or connection refused and recorded."""
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted in a test")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def fake_scores(texts: list[str]) -> list[list[float]]:
    """Per text: data_breach high on 'leaked', regulatory_fine high on 'fined'."""
    return [[0.9 if "leaked" in t else 0.2, 0.8 if "fined" in t else 0.1, 0.05] for t in texts]


def test_sequence_model_emits_exactly_the_labels_that_are_on(breach_classifier):
    assert isinstance(breach_classifier, SequenceClassificationModel)
    assert breach_classifier.labels == ("data_breach", "regulatory_fine", "ipo_suspension")
    [tags] = breach_classifier.classify([ARTICLE])
    assert [t.type for t in tags] == ["data_breach"]
    assert 0 < tags[0].score < 1
    assert tags[0].score > 0.99
    assert tags[0].evidence in SENTENCES


def test_name_and_version_identify_the_model(breach_model, breach_classifier):
    assert breach_classifier.name == "hf:breach-only"
    assert len(breach_classifier.version) == 12
    assert int(breach_classifier.version, 16) >= 0
    assert load_hf_classifier(str(breach_model)).version == breach_classifier.version


def test_one_result_per_input_in_order_and_none_for_empty_text(breach_classifier):
    texts = ["", "The data was leaked.", "  \n\t ", "The firm was fined.", ARTICLE]
    result = breach_classifier.classify(texts)
    assert [len(tags) for tags in result] == [0, 1, 0, 1, 1]
    assert result[1][0].evidence == "The data was leaked."
    assert result[3][0].evidence == "The firm was fined."
    assert breach_classifier.classify([]) == []
    assert breach_classifier.classify(["", " "]) == [[], []]


def test_evidence_is_the_best_sentence_of_the_best_window(breach_classifier, monkeypatch):
    monkeypatch.setattr(breach_classifier, "_score", fake_scores)
    texts = [ARTICLE, "Its IPO was postponed. The regulator fined the firm.", "Nothing here."]
    result = breach_classifier.classify(texts)
    assert result[0] == [
        EventTag("data_breach", 0.9, SENTENCES[0]),
        EventTag("regulatory_fine", 0.8, SENTENCES[1]),
    ]
    assert result[1] == [EventTag("regulatory_fine", 0.8, "The regulator fined the firm.")]
    assert result[2] == []


def test_long_text_reads_at_most_the_window_cap(breach_classifier, monkeypatch):
    scored: list[int] = []
    real_score = breach_classifier._score

    def counting_score(texts):
        scored.append(len(texts))
        return real_score(texts)

    monkeypatch.setattr(breach_classifier, "_score", counting_score)
    sentence = "The company said today its customer records were leaked by a user."
    text = " ".join([sentence] * 5000)
    [tags] = breach_classifier.classify([text])
    assert [t.type for t in tags] == ["data_breach"]
    assert tags[0].evidence == sentence
    assert scored[0] == MAX_WINDOWS
    assert len(scored) == 2  # the windows, then the sentences of the best one
    assert scored[1] < 40


def test_batched_scores_match_one_at_a_time(models_dir):
    """Sorting by length and batching must hand each text back its own scores."""
    directory = save_classifier(
        models_dir / "random-head", tiny_config(SEQ_LABELS, initializer_range=0.2), None
    )
    classifier = load_hf_classifier(str(directory))
    texts = [" ".join(WORDS[i : i + 1 + (7 * i) % 23]) for i in range(20)]
    assert len(texts) > 16
    together = classifier._score(texts)
    alone = [classifier._score([t])[0] for t in texts]
    assert len({round(row[0], 2) for row in alone}) > 8  # the texts really score differently
    for a, b in zip(together, alone, strict=True):
        assert a == pytest.approx(b, abs=1e-4)


def test_thresholds_from_the_config(models_dir):
    config = tiny_config(SEQ_LABELS, riskwatch_thresholds={"data_breach": 0.9999})
    directory = save_classifier(models_dir / "strict", config, [8.0, -8.0, 0.5, 0.0])
    classifier = load_hf_classifier(str(directory))
    [tags] = classifier.classify([ARTICLE])
    assert [t.type for t in tags] == ["ipo_suspension"]  # sigmoid(8) < 0.9999, sigmoid(0.5) > 0.5


def test_bad_threshold_names_the_key(models_dir):
    config = tiny_config(SEQ_LABELS, riskwatch_thresholds={"data_leak": 0.7})
    directory = save_classifier(models_dir / "bad-threshold", config, [0.0] * 4)
    with pytest.raises(ModelError, match=r"riskwatch_thresholds\.data_leak"):
        load_hf_classifier(str(directory))


@pytest.mark.parametrize(
    ("bias", "expected"),
    # Multi-label convention: entailment against contradiction only, so neutral never votes.
    [([8.0, 0.0, -8.0], list(LABELS)), ([-8.0, 0.0, 8.0], []), ([2.0, 6.0, -8.0], list(LABELS))],
    ids=["entailment", "contradiction", "neutral-ignored"],
)
def test_nli_zero_shot(models_dir, bias, expected):
    directory = save_classifier(models_dir / f"nli-{bias}", tiny_config(NLI_LABELS), bias)
    classifier = load_hf_classifier(str(directory))
    assert isinstance(classifier, NliZeroShotModel)
    assert classifier.labels == LABELS
    result = classifier.classify([ARTICLE, "", "The firm was fined."])
    assert [t.type for t in result[0]] == expected
    assert result[1] == []
    assert [t.type for t in result[2]] == expected
    for tag in result[0]:
        assert 0 < tag.score < 1
        assert tag.evidence in SENTENCES


def test_nli_detection_ignores_label_case(models_dir):
    labels = {0: "CONTRADICTION", 1: "Neutral", 2: "Entailment"}
    directory = save_classifier(models_dir / "nli-case", tiny_config(labels), [-8.0, 0.0, 8.0])
    [tags] = load_hf_classifier(str(directory)).classify([ARTICLE])
    assert [t.type for t in tags] == list(LABELS)


def test_missing_directory_is_unknown(tmp_path, offline):
    missing = tmp_path / "no-such-model"
    with pytest.raises(UnknownModelError) as err:
        load_hf_classifier(str(missing))
    message = str(err.value)
    assert "not a directory" in message
    assert "local Hugging Face cache" in message
    assert "\n" not in message
    assert offline == []


def test_unknown_hub_name_is_not_downloaded(offline):
    with pytest.raises(UnknownModelError) as err:
        load_hf_classifier("riskwatch-tests/no-such-model")
    message = str(err.value)
    assert "not in the local Hugging Face cache" in message
    assert "hf download riskwatch-tests/no-such-model" in message
    assert "\n" not in message
    assert offline == []


def test_hub_name_loads_from_the_local_cache(breach_model, tmp_path, monkeypatch, offline):
    import huggingface_hub.constants

    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--riskwatch-tests--tiny-breach"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    shutil.copytree(breach_model, repo / "snapshots" / commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    classifier = load_hf_classifier("riskwatch-tests/tiny-breach")
    assert classifier.name == "hf:riskwatch-tests/tiny-breach"
    assert classifier.version == commit[:12]
    assert [[t.type for t in tags] for tags in classifier.classify([ARTICLE])] == [["data_breach"]]
    assert offline == []


def test_directory_without_config_is_a_model_error(tmp_path):
    save_tokenizer(tmp_path)
    with pytest.raises(ModelError, match="no config.json"):
        load_hf_classifier(str(tmp_path))


def test_unnamed_labels_ask_for_id2label(models_dir):
    directory = save_classifier(models_dir / "unnamed", tiny_config(), [0.0, 0.0, 0.0])
    assert json.loads((directory / "config.json").read_text())["id2label"]["0"] == "LABEL_0"
    with pytest.raises(ModelError, match="id2label"):
        load_hf_classifier(str(directory))


def test_encoder_without_a_head_is_a_model_error(models_dir):
    directory = models_dir / "encoder"
    BertModel(tiny_config(SEQ_LABELS)).save_pretrained(directory)
    save_tokenizer(directory)
    with pytest.raises(ModelError, match="neither a sequence-classification nor an NLI model"):
        load_hf_classifier(str(directory))
