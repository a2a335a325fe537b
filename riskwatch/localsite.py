"""A static site served on 127.0.0.1 with `{base}` in files replaced by the server's own URL.

It serves the bundled demo news site and the tests' fixture pages, so crawls run against a
real HTTP server without touching the internet.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
from email.utils import formatdate
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".html": "text/html",
    ".json": "application/json",
    ".txt": "text/plain",
}


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves files under `directory`; `charsets` maps a path to the charset its header names."""

    def __init__(self, *args, directory: str, charsets: dict[str, str], **kwargs):
        self.charsets = charsets
        super().__init__(*args, directory=directory, **kwargs)

    def do_GET(self) -> None:
        body, content_type = self.load(unquote(urlsplit(self.path).path).lstrip("/"))
        if body is None:
            self.send_error(404, "not found")
            return
        # validators as real servers send them, so conditional GET is exercised for real
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(self.mtime, usegmt=True))
        self.end_headers()
        self.wfile.write(body)

    def load(self, rel: str) -> tuple[bytes | None, str]:
        root = Path(self.directory).resolve()
        path = (root / (rel or "index.html")).resolve()
        if path.is_dir():
            path = path / "index.html"
        if root not in path.parents or not path.is_file():
            return None, ""
        base = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
        body = path.read_bytes().replace(b"{base}", base.encode("ascii"))
        suffix = path.suffix.lower()
        content_type = (
            _TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        self.mtime = path.stat().st_mtime
        charset = self.charsets.get(path.relative_to(root).as_posix())
        return body, f"{content_type}; charset={charset}" if charset else content_type

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass  # a served page is not news; the crawl logs what matters


class LocalSite:
    """Context manager: serve `directory` on 127.0.0.1 (port 0) in a background thread."""

    def __init__(
        self,
        directory: str | Path,
        charsets: dict[str, str] | None = None,
        handler: type[SiteHandler] = SiteHandler,
    ):
        self.directory = str(directory)
        self.charsets = charsets or {}
        self.handler = handler
        self.server: ThreadingHTTPServer | None = None

    def __enter__(self) -> LocalSite:
        handler = partial(self.handler, directory=self.directory, charsets=self.charsets)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def charsets_from_expected(expected_dir: Path) -> dict[str, str]:
    """The header charsets the golden files ask the server to send (http_charset)."""
    charsets = {}
    for path in sorted(expected_dir.glob("*.json")):
        for page, facts in json.loads(path.read_text(encoding="utf-8")).items():
            if facts.get("http_charset"):
                charsets[page] = facts["http_charset"]
    return charsets
