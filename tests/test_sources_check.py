"""`riskwatch sources` and `riskwatch sources check [--live]` on a user registry, the live
check against a scripted loopback server."""

from __future__ import annotations

from click.testing import CliRunner

from riskwatch.cli import cli
from tests.scripted_site import ScriptedSite, rss


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_the_shipped_registry_checks_clean_offline():
    result = run("sources", "check", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"level": "error"' not in result.output
    assert "sec.gov refuses crawlers whose user agent has no e-mail" in result.output


def test_offline_check_names_what_cannot_work(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[source]]\nname = "odd"\nlang = "en"\nlistings = ["https://odd.example/news"]\n'
        'timezone = "Mars/Olympus"\nhints = { body = "div[[" }\n',
        encoding="utf-8",
    )
    result = run("sources", "--sources-file", str(mine), "check", "odd")
    assert result.exit_code == 1
    assert "unknown timezone 'Mars/Olympus'" in result.output
    assert "hints.body: bad CSS selector" in result.output
    assert "listings without article_pattern" in result.output
    assert "Error: 2 problem(s)" in result.output
    assert "Traceback" not in result.output


def test_live_check_fetches_each_entry_and_parses_it(tmp_path):
    with ScriptedSite() as site:
        site.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"},
                                      b"User-agent: *\nDisallow: /private\n")  # fmt: skip
        site.routes["/feed"] = rss(site.base, ["/a1", "/a2"])
        site.routes["/cookie-wall"] = (200, {"Content-Type": "text/html"},
                                       b"<html><body>Accept our cookies</body></html>")  # fmt: skip
        site.routes["/denied"] = (403, {"Content-Type": "text/html"}, b"no")
        mine = tmp_path / "mine.toml"
        mine.write_text(
            '[[source]]\nname = "live"\nlang = "en"\nlocal = true\nfeeds = ['
            f'"{site.base}/feed", "{site.base}/cookie-wall", "{site.base}/denied", '
            f'"{site.base}/private/feed"]\n',
            encoding="utf-8",
        )
        result = run("sources", "--sources-file", str(mine), "check", "--live", "live",
                     "--format", "json")  # fmt: skip
    assert result.exit_code == 1
    assert "HTTP 200 (application/rss+xml), 2 links" in result.output
    assert "the server sent an HTML page, not a feed" in result.output
    assert "HTTP 403 (text/html)" in result.output
    assert "robots.txt disallows it" in result.output
    assert "Error: 3 problem(s)" in result.output


def test_live_check_refuses_a_public_entry_whose_name_resolves_to_this_machine(tmp_path):
    import socket

    import pytest

    name = socket.gethostname()
    try:
        if socket.gethostbyname(name) != "127.0.0.1":
            pytest.skip("this machine's name does not resolve to 127.0.0.1")
    except OSError:
        pytest.skip("this machine's name does not resolve")
    mine = tmp_path / "mine.toml"
    mine.write_text(
        f'[[source]]\nname = "sneaky"\nlang = "en"\nfeeds = ["http://{name}:9/feed"]\n',
        encoding="utf-8",
    )
    result = run("sources", "--sources-file", str(mine), "check", "--live", "sneaky")
    assert result.exit_code == 1 and "internal address refused" in result.output
