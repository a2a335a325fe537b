"""`python -m nlp.train`: a user adds a label with their own examples and retrains."""

from __future__ import annotations

import json

import pytest
from safetensors.torch import load_file

from nlp.classify import load_classifier
from nlp.train import main as train_main

FIRMS = ["Orbitel", "Kestrel Pay", "Lumen Cart", "Quillsoft", "Harbor Cloud", "Vantor", "Nimbra"]
REGULATORS = ["the competition authority", "the data protection office", "the securities regulator"]


def items() -> list[dict]:
    """Probes opened (the new label), fines, and ordinary news, in a few phrasings each."""
    rows = []
    for i, firm in enumerate(FIRMS * 3):
        regulator = REGULATORS[i % 3]
        rows.append(
            {
                "title": f"{regulator.capitalize()} opens investigation into {firm}",
                "text": f"Officials said they had started a formal probe into {firm}'s practices.",
                "labels": ["regulatory_probe"],
            }
        )
        rows.append(
            {
                "title": f"{firm} fined {10 + i} million euros by {regulator}",
                "text": f"The penalty imposed on {firm} follows a two-year case.",
                "labels": ["regulatory_fine"],
            }
        )
        rows.append(
            {
                "title": f"{firm} launches a new app for small shops",
                "text": f"{firm} said the service would be free for the first year.",
                "labels": [],
            }
        )
    return rows


@pytest.fixture
def data_file(tmp_path, default_model):
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in items()), encoding="utf-8")
    return path


def train(data_file, out, *extra):
    args = ["--data", str(data_file), "--labels", "regulatory_fine,regulatory_probe"]
    return train_main([*args, "--out", str(out), "--epochs", "80", "--members", "2", *extra])


def test_a_new_label_is_trained_saved_and_used(data_file, tmp_path):
    assert train(data_file, tmp_path / "head", "--folds", "3") == 0
    spec = json.loads((tmp_path / "head" / "head.json").read_text())
    assert spec["labels"] == ["regulatory_fine", "regulatory_probe"]
    assert set(spec["thresholds"]) == set(spec["labels"])
    assert (tmp_path / "head" / "head.safetensors").stat().st_size < 5_000_000

    classifier = load_classifier(str(tmp_path / "head"))
    assert classifier.labels == ("regulatory_fine", "regulatory_probe")
    probe, fine, plain = classifier.classify(
        [
            "The data protection office opens investigation into Zentra\n"
            "Officials said they had started a formal probe into Zentra's practices.",
            "Zentra fined 40 million euros by the competition authority",
            "Zentra launches a new app for small shops",
        ]
    )
    assert [t.type for t in probe] == ["regulatory_probe"]
    assert [t.type for t in fine] == ["regulatory_fine"]
    assert plain == []


def test_training_is_reproducible(data_file, tmp_path):
    assert train(data_file, tmp_path / "a", "--folds", "3") == 0
    assert train(data_file, tmp_path / "b", "--folds", "3") == 0
    a, b = (load_file(tmp_path / d / "head.safetensors") for d in ("a", "b"))
    assert all((a[k] == b[k]).all() for k in a)


def test_bad_training_data_is_a_one_line_error(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"text": "fine", "labels": []}\n{"text": "\xff\xfe broken"}\n')
    assert train(bad, tmp_path / "out") == 1
    assert "bad.jsonl:2: not valid UTF-8" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_label_without_examples_is_refused(data_file, tmp_path, capsys):
    args = ["--data", str(data_file), "--labels", "regulatory_fine,ipo_suspension"]
    assert train_main([*args, "--out", str(tmp_path / "out")]) == 1
    assert "'ipo_suspension'" in capsys.readouterr().err
