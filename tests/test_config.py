"""Settings layers and the source registry: bad keys are named, partial files override."""

from __future__ import annotations

import pytest

from riskwatch.errors import ConfigError, UnknownSourceError
from riskwatch.settings import load_settings
from spiders.sources import load_registry


def test_settings_layers(tmp_path):
    config = tmp_path / "riskwatch.toml"
    config.write_text('db = "from-file.db"\nbatch_size = 8\n', encoding="utf-8")
    env = {"RISKWATCH_BATCH_SIZE": "16", "RISKWATCH_OBEY_ROBOTS": "false", "OTHER": "x"}
    settings = load_settings(config, env=env, db=None, model="rules")
    assert settings.db == "from-file.db"  # file beats default, a None flag changes nothing
    assert settings.batch_size == 16 and settings.obey_robots is False  # env beats file
    assert load_settings(config, env=env, db="flag.db").db == "flag.db"  # flag beats all
    assert load_settings(config, env={}).model == "default"  # untouched keys keep defaults


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('dbb = "x.db"', "dbb: unknown setting"),
        ("batch_size = 'many'", "'many' is not a valid int"),
        ("db = ", "not valid TOML"),
    ],
)
def test_bad_settings_name_the_key(tmp_path, text, message):
    config = tmp_path / "riskwatch.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(config, env={})


def test_registry_ships_sources_and_user_file_overrides(tmp_path):
    user = tmp_path / "mine.toml"
    user.write_text(
        '[[source]]\nname = "cnil"\ninterval = 30\n\n'
        '[[source]]\nname = "my-blog"\nlang = "en"\nfeeds = ["https://blog.example.com/feed"]\n',
        encoding="utf-8",
    )
    shipped = load_registry()
    assert len(shipped) >= 10 and shipped.get("cnil").interval == 360
    merged = load_registry(user)
    assert merged.get("cnil").interval == 30 and merged.get("cnil").lang == "fr"
    assert merged.get("my-blog").domains == ["example.com"]  # the site, not just the host


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            'name = "x"\nlang = "cn"\nfeeds = ["https://e.com/f"]',
            "lang: 'cn' is not a language code .did you mean 'zh'",
        ),
        (
            'name = "x"\nlang = "en"\nfeed = ["https://e.com/f"]',
            "unknown key 'feed' .did you mean 'feeds'",
        ),
        ('name = "x"\nlang = "en"', "needs at least one of feeds, sitemaps, listings or apis"),
        ('name = "x"\nlang = "en"\nfeeds = ["ftp://e.com/f"]', "is not an http.s. URL"),
        (
            'name = "x"\nlang = "en"\nfeeds = ["https://e.com/f"]\nkind = "blog"',
            "kind: 'blog' is not one of",
        ),
        (
            'name = "x"\nlang = "en"\nlistings = ["https://e.com/"]\narticle_pattern = "("',
            "not a valid regex",
        ),
        ('lang = "en"', "missing 'name'"),
    ],
)
def test_bad_registry_entries_name_the_key(tmp_path, entry, message):
    user = tmp_path / "mine.toml"
    user.write_text(f"[[source]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_registry(user)


def test_unknown_source_suggests_names():
    with pytest.raises(UnknownSourceError, match="did you mean cnil"):
        load_registry().get("cnli")
