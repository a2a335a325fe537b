"""JSON and JSONP list APIs as entry points (163.com and Sina shapes), bytes in, links out,
and a real crawl of one from the local fixture server."""

from __future__ import annotations

import json

import pytest

import store
from spiders.apis import api_links
from spiders.feeds import UnreadableFeed
from spiders.launch import crawl_in_subprocess
from tests.conftest import FIXTURES

JSONP = (FIXTURES / "site" / "api" / "tech_datalist.js").read_bytes()


def test_a_163_style_jsonp_list_in_gbk_with_a_trailing_comma():
    links = api_links(JSONP, "https://tech.163.com/special/x/tech_datalist.js", tz="Asia/Shanghai")
    assert [ln.url for ln in links] == [
        "https://tech.163.com/zh/alibaba-fine-gbk.html",
        "https://tech.163.com/news/taobao-scraper-2021.html",
    ]
    assert links[0].date == "2021-04-10T01:30:00Z"  # 09:30 in Beijing


def test_a_sina_style_json_api_with_epoch_seconds():
    body = json.dumps(
        {
            "result": {
                "status": {"code": 0},
                "data": [
                    {
                        "title": "x",
                        "url": "https://finance.sina.com.cn/a.shtml",
                        "ctime": "1618018200",
                    },
                    {"title": "no link"},
                ],
            }
        }  # fmt: skip
    ).encode()
    (link,) = api_links(body, "https://feed.mix.sina.com.cn/api/roll/get?pageid=153")
    assert (link.url, link.date) == ("https://finance.sina.com.cn/a.shtml", "2021-04-10T01:30:00Z")


def test_named_keys_override_the_usual_ones():
    body = (
        b'cb({"list": [{"link_to": "https://x.example/1", "when": "2021-04-10T10:00:00+08:00"}]})'
    )
    (link,) = api_links(body, "https://x.example/api", url_key="link_to", date_key="when")
    assert link.date == "2021-04-10T02:00:00Z"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body>Service unavailable</body></html>", "HTML page"),
        (b"data_callback([{", "not JSON"),
        (b'{"result": {"data": [{"title": "no url"}]}}', "no list of items with links"),
        (b"", "not JSON"),
    ],
)
def test_what_is_not_a_list_of_links_is_named(body, message):
    with pytest.raises(UnreadableFeed, match=message):
        api_links(body, "https://x.example/api")


def test_a_crawl_follows_an_api_entry_point(tmp_path, site, db_path):
    sources = tmp_path / "api-sources.toml"
    sources.write_text(
        f'[[source]]\nname = "fixture-jsonp"\nlang = "zh"\nkind = "portal"\n'
        f'apis = ["{site}/api/tech_datalist.js"]\nlocal = true\n',
        encoding="utf-8",
    )
    assert crawl_in_subprocess(["fixture-jsonp"], str(db_path), sources_file=str(sources)) == 0
    db = store.open_db(db_path)
    rows = {
        r["url"].split("/", 3)[3]: r for r in db.query("SELECT url, title, published FROM articles")
    }
    assert set(rows) == {"zh/alibaba-fine-gbk.html", "news/taobao-scraper-2021.html"}
    assert "阿里巴巴" in rows["zh/alibaba-fine-gbk.html"]["title"]
