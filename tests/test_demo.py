"""End to end: `riskwatch demo` serves, crawls (real subprocess), tags, stores and answers."""

from __future__ import annotations

import json

from click.testing import CliRunner

import store
from riskwatch.cli import cli
from tests.test_demo_site import GOLDEN


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_demo_twice_stores_every_page_once_and_finds_the_events(db_path, default_model):
    first = run("demo", "--db", str(db_path))
    assert first.exit_code == 0, first.output
    db = store.open_db(db_path)
    assert store.article_count(db) == len(GOLDEN)
    assert {r["status"] for r in db.query("SELECT status FROM articles")} == {"tagged"}
    second = run("demo", "--db", str(db_path))
    assert second.exit_code == 0 and store.article_count(db) == len(GOLDEN)
    assert "Detected events" in second.output and "Alibaba" in second.output

    rows = [
        json.loads(line)
        for line in run("articles", "--db", str(db_path), "--format", "json").output.splitlines()
    ]
    found = {(r["url"].split("/", 3)[3], r["type"]) for r in rows}
    gold = {(path, label) for path, facts in GOLDEN.items() for label in facts["labels"]}
    # the stories users name first must be found in all three languages
    for must in [
        ("zh/netease-alibaba-fine-2021.html", "regulatory_fine"),
        ("en/alibaba-samr-antitrust-fine-2021.html", "regulatory_fine"),
        ("fr/alibaba-amende-record-2021.html", "regulatory_fine"),
        ("zh/ant-group-ipo-suspended-2020.html", "ipo_suspension"),
        ("en/ant-group-ipo-suspended-2020.html", "ipo_suspension"),
        ("zh/taobao-crawler-data-2021.html", "data_breach"),
        ("en/taobao-crawler-records-2021.html", "data_breach"),
    ]:
        assert must in found, must
    precision = len(found & gold) / len(found)
    recall = len(found & gold) / len(gold)
    # The default model finds every labelled event on these 52 long pages; its false alarms
    # come from body text (denials, conditionals, past context). Measured over article
    # groupings (int8 activations are quantised per batch): precision 0.72-0.78, recall 1.0.
    assert precision >= 0.7 and recall >= 0.9, (precision, recall, sorted(found ^ gold))

    hits = [
        json.loads(line)
        for line in run(
            "search", "罚款", "--db", str(db_path), "--format", "json"
        ).output.splitlines()
    ]
    assert hits and all(h["lang"] == "zh" for h in hits) and "[罚款]" in hits[0]["snippet"]
