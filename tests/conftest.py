"""Shared fixtures: a real HTTP server on 127.0.0.1 serving tests/fixtures/site, and databases on disk."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from riskwatch.localsite import LocalSite, SiteHandler
from tests.alert_samples import smtpd, tls_smtpd  # noqa: F401 - SMTP receivers, as fixtures

FIXTURES = Path(__file__).parent / "fixtures"
SITE = FIXTURES / "site"


class FixtureHandler(SiteHandler):
    """The fixture site plus the misbehaving pages real servers produce."""

    def do_GET(self) -> None:
        if self.path.startswith("/status/"):
            self.send_error(int(self.path.rsplit("/", 1)[1]))
        elif self.path == "/slow":
            time.sleep(5)
            self.send_error(504)
        elif self.path == "/huge":
            self._huge(50 * 1024 * 1024)
        else:
            super().do_GET()

    def _huge(self, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        try:
            for _ in range(size // len(chunk)):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up at its size cap, as it should


@pytest.fixture(scope="session")
def site():
    """Base URL of the fixture site, served for the whole test run."""
    with LocalSite(SITE, handler=FixtureHandler) as served:
        yield served.base


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "riskwatch.db"


@pytest.fixture
def sources_file(tmp_path, site) -> Path:
    """A user registry of local fixture sources pointing at the running site."""
    path = tmp_path / "sources.toml"
    path.write_text(
        (FIXTURES / "sources.toml").read_text(encoding="utf-8").replace("{base}", site),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session", autouse=True)
def riskwatch_data_dir(tmp_path_factory):
    """Where the default model is built for this run (once, ~45 s), unless the developer points
    RISKWATCH_TEST_DATA_DIR at a directory that keeps it between runs."""
    import os

    keep = os.environ.get("RISKWATCH_TEST_DATA_DIR")
    path = Path(keep) if keep else tmp_path_factory.mktemp("riskwatch-data")
    old = os.environ.get("RISKWATCH_DATA_DIR")
    os.environ["RISKWATCH_DATA_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("RISKWATCH_DATA_DIR", None)
    else:
        os.environ["RISKWATCH_DATA_DIR"] = old


@pytest.fixture(scope="session")
def default_model(riskwatch_data_dir) -> Path:
    """The converted default encoder, built once per test run."""
    from nlp.e5.cache import ensure_model

    return ensure_model()
