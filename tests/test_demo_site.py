"""The bundled demo site as golden fixtures: extraction of every page matches its golden file."""

from __future__ import annotations

import json

import feedparser
import pytest

from riskwatch.demo import demo_site_dir
from spiders.dates import parse_datetime, to_utc_iso, utc_iso
from spiders.extract import extract
from spiders.feeds import sitemap_links

SITE = demo_site_dir()
TZ = {"en": "UTC", "fr": "Europe/Paris", "zh": "Asia/Shanghai"}
GOLDEN = {
    path: facts
    for lang in ("en", "fr", "zh")
    for path, facts in json.loads((SITE / "expected" / f"{lang}.json").read_text("utf-8")).items()
}


def test_demo_site_is_big_enough_and_balanced():
    langs = [facts["lang"] for facts in GOLDEN.values()]
    assert len(GOLDEN) >= 40 and min(langs.count(x) for x in ("en", "fr", "zh")) >= 12
    negatives = [p for p, f in GOLDEN.items() if not f["labels"]]
    assert len(negatives) >= 15
    undeclared_gbk = [
        p for p, f in GOLDEN.items() if f["encoding"] == "gbk" and not f["meta_charset"]
    ]
    assert len(undeclared_gbk) >= 5


@pytest.mark.parametrize("path", sorted(GOLDEN))
def test_page_extracts_as_golden(path):
    facts = GOLDEN[path]
    page = extract(
        (SITE / path).read_bytes(),
        f"http://127.0.0.1:8000/{path}",
        http_charset=facts["http_charset"],
        tz=TZ[facts["lang"]],
    )
    assert page.title == facts["title"]
    assert page.lang == facts["lang"]
    assert facts["first_sentence"] in page.text[:600]
    assert facts["last_sentence"] in page.text
    want = to_utc_iso(parse_datetime(facts["published"]))
    published = utc_iso(page.published)
    if page.published_from == "metadata":
        assert published == want
    else:  # a date read from visible text may lack its time of day; the feed supplies it
        assert published[:10] == want[:10] or published == to_utc_iso(
            parse_datetime(facts["published"]).replace(tzinfo=None), TZ[facts["lang"]]
        )


def test_feeds_and_sitemap_list_every_page():
    base = "http://127.0.0.1:8000"
    listed = set()
    for name in ("en.xml", "fr.xml"):
        feed = feedparser.parse(
            (SITE / "feeds" / name).read_bytes().replace(b"{base}", base.encode())
        )
        assert not feed.bozo
        listed |= {e.link.split("?")[0].removeprefix(base + "/") for e in feed.entries}
    links, _ = sitemap_links(
        (SITE / "sitemap-zh.xml").read_bytes().replace(b"{base}", base.encode()), base
    )
    listed |= {link.url.removeprefix(base + "/") for link in links}
    assert listed == set(GOLDEN)
