"""The default classifier against the rules tagger, and its speed against the plain encoder.

Quality: both classifiers in the same run, on the dev split of nlp/data (firms disjoint from
training) and on bench/data/heldout.jsonl (360 items in 12 languages, written separately from
the training data and never trained on): macro-F1, F1 per label and per language, and the
false-alarm rate on items that report no event.

Speed, on headline + lead items, batch mode, after load; every figure against the plain fp32
torch encoder (BertModel, input order, batches of 16) measured in the same run, on three sets:
the dev items (event-dense: most are events or near-misses), the same items paired to ~100
tokens, and a real news stream (title + first two sentences of the 181 real pages of
shared/bench/extraction, mostly news with no event, as a monitor mostly sees). Each step
of the fast path on its own (length bucketing, int8 dynamic quantisation per channel), then the
whole classifier (windows, head, in-context evidence). Also full-article throughput, load time
and the peak RSS of a `riskwatch classify` process. `--model DIR` measures another head (for
example one trained with `python -m nlp.train --gate-layer 3`, the early-exit first pass).

Run: python bench/classify.py [--skip-speed] [--skip-quality]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Timer, peak_rss_mb, shared_dir  # noqa: E402
from nlp.classify import LABELS, load_classifier  # noqa: E402
from nlp.dataset import Example, load_examples  # noqa: E402
from nlp.metrics import scores, scores_by  # noqa: E402
from riskwatch.demo import demo_site_dir  # noqa: E402
from spiders.extract import extract  # noqa: E402

HELDOUT = Path(__file__).resolve().parent / "data" / "heldout.jsonl"
ROUNDS = 2  # best of: the machine is shared and noisy


def quality(classifiers: dict, name: str, examples: list[Example]) -> dict:
    gold = [set(e.labels) for e in examples]
    langs = [e.lang for e in examples]
    results = {}
    print(f"\n== {name}: {len(examples)} items")
    for cname, classifier in classifiers.items():
        predicted = [
            {t.type for t in tags} for tags in classifier.classify([e.text for e in examples])
        ]
        overall = scores(gold, predicted, LABELS)
        by_lang = scores_by(langs, gold, predicted, LABELS)
        results[cname] = overall
        per_label = ", ".join(f"{k} {v:.3f}" for k, v in overall["per_label"].items())
        print(
            f"{cname:<8} macro-F1 {overall['macro_f1']:.3f}  false alarms "
            f"{overall['false_alarm']:.1%}  ({per_label})"
        )
        print("         " + "  ".join(f"{k} {v['macro_f1']:.2f}" for k, v in by_lang.items()))
    gap = results["default"]["macro_f1"] - results["rules"]["macro_f1"]
    print(f"default - rules: {gap:+.3f} macro-F1")
    return results


def hundred_token_items(examples: list[Example]) -> list[str]:
    """Headline + lead of one item followed by the next item's lead: ~100 tokens each."""
    texts = []
    for a, b in zip(examples[::2], examples[1::2], strict=False):
        texts.append(a.text + " " + b.text.split("\n", 1)[-1])
    return texts


def news_stream() -> list[str]:
    """Headline + lead of real published pages (measured on, never copied into the project)."""
    import gzip

    from nlp.sentences import split_sentences

    data = shared_dir() / "bench" / "extraction"
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    texts = []
    for page_id, record in sorted(truth.items()):
        html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        title = extract(html, record["url"]).title or ""
        lead = " ".join(split_sentences(record["articleBody"])[:2])
        texts.append(f"{title.strip()}\n{lead}")
    return texts


def throughput(run, texts: list[str]) -> float:
    run(texts[:16])  # warm-up
    best = 0.0
    for _ in range(ROUNDS):
        with Timer() as t:
            run(texts)
        best = max(best, len(texts) / t.seconds)
    return best


def plain_fp32(model_dir: Path):
    """The baseline: transformers BertModel in fp32, texts in input order, batches of 16."""
    import torch
    from transformers import AutoTokenizer, BertModel

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = BertModel.from_pretrained(model_dir, add_pooling_layer=False).eval()

    def run(texts):
        with torch.inference_mode():
            for start in range(0, len(texts), 16):
                batch = tokenizer(
                    ["query: " + t for t in texts[start : start + 16]],
                    padding=True,
                    truncation=True,
                    max_length=512,
                    return_tensors="pt",
                )
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1)
                (hidden * mask).sum(1) / mask.sum(1)

    return run


def speed(examples: list[Example], model: str = "default") -> None:
    from nlp.e5.cache import ensure_model
    from nlp.e5.encoder import Encoder
    from nlp.head_classifier import HeadClassifier

    model_dir = ensure_model(print)
    sets = {
        "headline+lead": [e.text for e in examples],
        "~100 tokens": hundred_token_items(examples),
        "real news stream": news_stream(),
    }
    with Timer() as load:
        classifier = HeadClassifier() if model == "default" else HeadClassifier(Path(model))
    counts = {k: classifier.encoder.token_counts(v) for k, v in sets.items()}
    steps = {
        "plain fp32 torch (baseline)": plain_fp32(model_dir),
        "+ length bucketing (fp32)": Encoder(model_dir, backend="torch").features,
        "+ int8 per channel": Encoder(model_dir, backend="torch-int8").features,
        "whole classifier (default)": classifier.classify,
    }
    for set_name, texts in sets.items():
        mean_tokens = sum(counts[set_name]) / len(texts)
        print(f"\n== speed, {len(texts)} items, {set_name} ({mean_tokens:.0f} tokens avg)")
        base = None
        for step, run in steps.items():
            rate = throughput(run, texts)
            base = base or rate
            print(f"{step:<30} {rate:7.1f} items/s   {rate / base:4.2f}x")
        tagged = sum(1 for tags in classifier.classify(texts) if tags)
        print(f"first pass stopped {stopped_share(classifier, texts):.0%}; {tagged} items tagged")
    articles = demo_articles()
    rate = throughput(classifier.classify, articles)
    chars = sum(map(len, articles)) / len(articles)
    pages = f"{len(articles)} demo pages, {chars:.0f} chars avg"
    print(f"\nfull articles: {rate:.1f} articles/s ({pages})")
    print(f"load time of the default classifier (model built): {load.seconds:.1f} s")
    print(f"peak RSS of this benchmark process: {peak_rss_mb():.0f} MB")


def stopped_share(classifier, texts: list[str]) -> float:
    """Share of texts the early-exit gate stopped before the last layer."""
    spec = classifier.head.spec
    if spec.gate_threshold <= 0:
        return 0.0
    encoded = classifier.encoder.encode(
        texts, prefix=spec.prefix, early_layer=spec.gate_layer, gate=classifier.head.gate_pass
    )
    return 1 - float(encoded.passed.mean())


def demo_articles() -> list[str]:
    from nlp.classify import classifier_text

    texts = []
    for page in sorted(demo_site_dir().glob("*/*.html")):
        if not page.name.startswith("index"):
            doc = extract(page.read_bytes(), f"http://127.0.0.1/{page.name}")
            texts.append(classifier_text(doc.title, doc.text))
    return texts


def classify_process_rss(examples: list[Example]) -> None:
    """Peak RSS of `riskwatch classify` (default model) over the dev items, as a user runs it."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for e in examples:
            f.write(json.dumps({"id": e.id, "text": e.text}, ensure_ascii=False) + "\n")
    code = (
        "import sys; from riskwatch.cli import main; sys.argv=['riskwatch','classify',"
        f"{f.name!r}]\ntry: main()\nexcept SystemExit: pass\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss of the forking parent across exec
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(int(hwm.split()[1]) // 1024, file=sys.stderr)"
    )
    with Timer() as t:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ
        )
    os.unlink(f.name)
    rss = done.stderr.strip().splitlines()[-1]
    lines = len(done.stdout.splitlines())
    print(f"\n`riskwatch classify` on {lines} items: peak RSS {rss} MB, {t.seconds:.1f} s wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--model", default="default", help="head directory to measure")
    args = parser.parse_args()
    dev = [e for e in load_examples() if e.split == "dev"]
    if not args.skip_quality:
        classifiers = {"rules": load_classifier("rules"), "default": load_classifier(args.model)}
        quality(classifiers, "dev split (nlp/data)", dev)
        quality(classifiers, "held-out set (bench/data/heldout.jsonl)", load_examples([HELDOUT]))
        del classifiers
    if not args.skip_speed:
        speed(dev, args.model)
        classify_process_rss(dev)


if __name__ == "__main__":
    main()
