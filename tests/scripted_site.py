"""A loopback HTTP server whose answers each test scripts: status codes, headers, redirects,
pages that change between crawls. Every request is logged with its headers."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = tuple[int, dict[str, str], bytes]


class ScriptedSite:
    """Context manager: `routes[path]` is an Answer or a function of the request count."""

    def __init__(self):
        self.routes: dict[str, Answer | Callable[[int], Answer]] = {}
        self.log: list[tuple[str, dict[str, str]]] = []
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def hits(self, path: str) -> int:
        return self.counts[path]

    def __enter__(self) -> ScriptedSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with site._lock:
                    site.log.append((self.path, dict(self.headers)))
                    site.counts[self.path] += 1
                    count = site.counts[self.path]
                route = site.routes.get(self.path)
                if route is None:
                    status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
                else:
                    status, headers, body = route(count) if callable(route) else route
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        host, port = self.server.server_address[:2]
        self.base = f"http://{host}:{port}"
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def html(title: str, body: str = "", date: str = "2021-04-10T09:00:00Z") -> Answer:
    text = body or f"{title}. " + "A paragraph long enough to count as the text of an article. " * 3
    page = (
        f"<html><head><title>{title}</title>"
        f'<meta property="article:published_time" content="{date}"></head>'
        f"<body><h1>{title}</h1><article><p>{text}</p></article></body></html>"
    )
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()


def rss(base: str, paths: list[str], dates: list[str] | None = None) -> Answer:
    items = "".join(
        f"<item><title>{p}</title><link>{base}{p}</link>"
        + (f"<pubDate>{dates[i]}</pubDate>" if dates else "")
        + "</item>"
        for i, p in enumerate(paths)
    )
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )
    return 200, {"Content-Type": "application/rss+xml"}, body.encode()


def listing(paths: list[str], next_path: str | None = None) -> Answer:
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in paths)
    nxt = f'<a href="{next_path}">下一页</a>' if next_path else ""
    page = f"<html><body><ul>{links}</ul>{nxt}</body></html>"
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()
