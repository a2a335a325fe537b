"""spiders.extract: pure extraction on stored bytes, in every charset we meet."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from spiders.charset import decode_html
from spiders.extract import extract
from tests.conftest import SITE

ZH = (
    "<html><head><title>测试</title></head><body><h1>阿里巴巴被罚</h1><p>国家市场监督管理总局对阿里巴巴"
    "集团处以182.28亿元罚款，这是反垄断法实施以来的最大罚单。阿里巴巴表示接受处罚并将依法经营。</p></body></html>"
)
TW = (
    "<html><head><title>測試</title></head><body><p>螞蟻集團暫緩在港上市，港交所表示尊重內地監管機構的"
    "決定。投資者的認購款項將全數退還，公司表示會與監管機構保持溝通。</p></body></html>"
)
FR = (
    "<html><body><p>La CNIL a infligé une amende à la société, élevée à 150 millions d'euros. "
    "Les données personnelles étaient mal protégées, a estimé la présidente.</p></body></html>"
)


@pytest.mark.parametrize(
    ("data", "header", "expected_codec"),
    [
        (ZH.encode("gbk"), None, "gb18030"),  # undeclared GBK
        (ZH.encode("gbk"), "iso-8859-1", "gb18030"),  # a server's default Western label
        (('<meta charset="gb2312">' + ZH).encode("gbk"), None, "gb18030"),
        (TW.encode("big5"), None, "big5hkscs"),  # undeclared Big5
        (('<meta charset="utf-8">' + ZH).encode(), "iso-8859-1", "utf_8"),  # wrong header
        (ZH.encode("utf-8"), None, "utf_8"),
        (FR.encode("cp1252"), None, "cp1252"),
        (FR.encode("cp1252"), "ISO-8859-1", "cp1252"),
        (b"\xef\xbb\xbf" + ZH.encode(), "gbk", "utf_8"),  # a BOM beats every label
    ],
)
def test_decoding(data, header, expected_codec):
    text, codec = decode_html(data, header)
    assert codec == expected_codec
    assert "阿里巴巴" in text or "螞蟻集團" in text or "infligé" in text


def test_gbk_page_without_charset_extracts_chinese():
    page = extract(
        (SITE / "zh" / "alibaba-fine-gbk.html").read_bytes(),
        "http://x/zh/a.html",
        tz="Asia/Shanghai",
    )
    assert page.title == "阿里巴巴因“二选一”被罚182.28亿元"
    assert page.text.startswith("国家市场监督管理总局4月10日公布")
    assert "相关新闻" not in page.text and "版权所有" not in page.text
    assert page.published == "2021-04-10T09:30:00+08:00"  # as the page says, in Beijing time
    assert page.lang == "zh" and page.encoding == "gb18030"


def test_metadata_date_with_zone_and_canonical():
    page = extract((SITE / "news" / "cnil-fine-2022.html").read_bytes(), "http://h/news/c.html?x=1")
    assert page.published == "2022-01-06T10:15:00+01:00" and page.published_from == "metadata"
    assert page.canonical_url.endswith("/news/cnil-fine-2022.html")  # from <link rel=canonical>
    assert page.lang == "en" and page.title == "Watchdog fines search giant over cookie banners"
    assert "Related stories" not in page.text and "Copyright" not in page.text


def test_date_in_visible_text_only():
    page = extract((SITE / "news" / "taobao-scraper-2021.html").read_bytes(), "http://h/n.html")
    # "Published June 16, 2021 08:15", read with its time in the source's zone
    assert page.published == "2021-06-16T08:15:00Z" and page.published_from == "page"
    page = extract(
        (SITE / "news" / "taobao-scraper-2021.html").read_bytes(),
        "http://h/n.html",
        tz="Asia/Shanghai",
    )
    assert page.published == "2021-06-16T08:15:00+08:00"


@pytest.mark.parametrize(
    ("shown", "tz", "published"),
    [
        ('<div class="post_info">2021-04-10 09:30:12　来源: 网易科技</div>', "Asia/Shanghai",
         "2021-04-10T09:30:12+08:00"),
        ('<span class="date">2021年04月10日 10:20</span>', "Asia/Shanghai", "2021-04-10T10:20:00+08:00"),
        ('<p class="meta">Publié le 10 avril 2021 à 14h05</p>', "Europe/Paris",
         "2021-04-10T14:05:00+02:00"),
        ('<div class="metatextline">Stand: 10.04.2021 14.05 Uhr</div>', "Europe/Berlin",
         "2021-04-10T14:05:00+02:00"),
        ('<span class="date">Wed 16 Jun 2021 // 09:41 UTC</span>', "Europe/London",
         "2021-06-16T10:41:00+01:00"),  # stated in UTC, shown as London's readers saw it
        ('<li class="cz-news-date">April 10, 2021</li>', "America/New_York",
         "2021-04-10T00:00:00Z"),  # a bare date keeps the day shown
    ],
)  # fmt: skip
def test_dates_as_chinese_french_and_english_pages_show_them(shown, tz, published):
    page = (
        '<html><body><div class="top-date">今天是2024年1月1日</div><h1>Headline</h1>'
        f"{shown}<p>{'Some words of the article, dated 3 March 2019. ' * 5}</p>"
        '<footer><span class="date">2020-01-01</span></footer></body></html>'
    )
    fetched = datetime(2021, 4, 10, 4, 0, tzinfo=UTC)
    found = extract(page, "https://example.com/a", tz=tz, now=fetched)
    assert found.published == published and found.published_from == "page"


@pytest.mark.parametrize(
    ("shown", "tz", "published"),
    [
        ('<span class="time">3小时前</span>', "Asia/Shanghai", "2021-04-10T09:00:00+08:00"),
        ('<span class="date">昨天 10:20</span>', "Asia/Shanghai", "2021-04-09T10:20:00+08:00"),
        ('<span class="date">il y a 2 heures</span>', "Europe/Paris", "2021-04-10T04:00:00+02:00"),
        ('<span class="date">2 hours ago</span><footer>© 2021</footer>', "Europe/London",
         "2021-04-10T03:00:00+01:00"),
    ],
)  # fmt: skip
def test_a_relative_date_counts_from_the_fetch_when_the_page_has_no_other(shown, tz, published):
    page = (
        f"<html><body><h1>Headline</h1>{shown}<p>{'Some words of the article. ' * 5}</p>"
        "</body></html>"
    )
    fetched = datetime(2021, 4, 10, 4, 0, tzinfo=UTC)
    found = extract(page, "https://example.com/a", tz=tz, now=fetched)
    assert found.published == published


def test_str_input_and_french():
    page = extract(FR, "http://h/fr.html")
    assert page.lang == "fr" and "150 millions" in page.text and page.encoding == "str"


@pytest.mark.parametrize(
    "junk",
    [
        b"",
        b"   ",
        b"\x00\x01\x02",
        b"<html></html>",
        b"%PDF-1.4 \xff\xfe",
        "<?xml version='1.0' encoding='utf-8'?><html><body>x</body></html>",
    ],
)
def test_junk_never_raises(junk):
    page = extract(junk, "http://h/x")
    assert page.text is None or len(page.text) < 20


def test_site_hints_override_the_generic_reading_only_where_they_match():
    page = (
        "<html><head><title>Site | Wrong title</title></head><body>"
        '<div class="hed">The real headline</div><div class="promo">Buy our magazine now</div>'
        '<div class="story"><p>First paragraph of the story, long enough to matter here.</p>'
        '<div class="promo">Subscribe today</div><p>Second paragraph.</p></div>'
        '<span class="stamp">Mis en ligne le 12 avril 2021 à 14h05</span></body></html>'
    )
    hints = {"title": ".hed", "body": ".story", "date": ".stamp", "remove": ".promo"}
    found = extract(page, "https://example.fr/a", tz="Europe/Paris", hints=hints)
    assert found.title == "The real headline"
    assert found.text == (
        "First paragraph of the story, long enough to matter here.\nSecond paragraph."
    )
    assert found.published == "2021-04-12T14:05:00+02:00"
    generic = extract(page, "https://example.fr/a", hints={"title": ".missing"})
    assert generic.title != "The real headline"  # a selector matching nothing changes nothing


def test_a_feed_whose_base_points_elsewhere_gives_links_the_spider_drops():
    from spiders.feeds import feed_links
    from spiders.urls import same_site

    feed = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
        b'xml:base="https://mirror.example.net/"><title>t</title>'
        b'<entry><title>a</title><link href="2021/04/a.html"/><id>1</id></entry>'
        b'<entry><title>a again</title><link href="2021/04/a.html"/><id>1</id></entry></feed>'
    )
    links = feed_links(feed, "https://news.example.com/feed.atom")
    assert {ln.url for ln in links} == {"https://mirror.example.net/2021/04/a.html"}
    assert not same_site(links[0].url, ["example.com"])


@pytest.mark.parametrize(
    ("head", "headline"),
    [
        ("<title>Watchdog fines shop - Tech - Daily Wire</title>", "Watchdog fines shop"),
        ("<title>阿里巴巴被罚182亿元_网易科技_网易网</title>", "阿里巴巴被罚182亿元"),
        ('<meta property="og:title" content="Brexit - what next?">', "Brexit - what next?"),
        ('<meta property="og:site_name" content="Le Journal"><title>Amende record | Le Journal'
         "</title>", "Amende record"),
    ],
)  # fmt: skip
def test_the_headline_without_the_site_name_when_no_h1_says_it(head, headline):
    page = f"<html><head>{head}</head><body><p>{'Words of the story. ' * 8}</p></body></html>"
    assert extract(page, "https://example.com/a").title == headline
