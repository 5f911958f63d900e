"""A real HTTP server on 127.0.0.1, in a thread, that serves the pages a test gives it; and such pages.

Every answer is declared per path (``Answer``): status, headers, body, and how slowly it comes. The server
records what it was asked (``requests``), so a test can see which host and path a fetch really reached.
"""

import gzip
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML = "text/html; charset=utf-8"


@dataclass
class Answer:
    body: bytes | str = b""
    status: int = 200
    content_type: str | None = HTML
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering at all
    drip: float = 0.0  # seconds between single bytes of the body
    gzip: bool = False
    content_length: bool = True  # whether to say how long the body is


@dataclass
class Asked:
    path: str
    host: str


class PageServer:
    def __init__(self, tls: tuple[str, str] | None = None):
        """``tls``: the certificate and key files to serve https with."""
        self.answers: dict[str, Answer] = {}
        self.requests: list[Asked] = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server.requests.append(Asked(path=self.path, host=self.headers.get("Host", "")))
                answer = server.answers.get(self.path, Answer(b"Not found", status=404, content_type="text/plain"))
                if answer.delay and server.stopping.wait(answer.delay):
                    return
                body = answer.body.encode() if isinstance(answer.body, str) else answer.body
                if answer.gzip:
                    body = gzip.compress(body)
                self.send_response(answer.status)
                if answer.content_type:
                    self.send_header("Content-Type", answer.content_type)
                if answer.gzip:
                    self.send_header("Content-Encoding", "gzip")
                if answer.content_length:
                    self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    if answer.drip:
                        for byte in body:
                            if server.stopping.wait(answer.drip):
                                return
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading, as it should past a limit

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "PageServer":
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        time.sleep(0)  # let handlers that were waiting see the stop

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def serve(self, path: str, answer: Answer | str | bytes) -> str:
        """Serve ``answer`` (a page's HTML, or an ``Answer``) at ``path``; its URL."""
        self.answers[path] = answer if isinstance(answer, Answer) else Answer(answer)
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        return self.serve(path, Answer(status=status, content_type=None, headers={"Location": to}))


def article_page(
    *,
    title: str = "Council doubles the city's recycling budget",
    publisher: str = "The Example Gazette",
    published: str | None = "2024-03-05T09:30:00-05:00",
    author: str = "Jane Reporter",
    canonical: str = "",
    lang: str = "en",
    paragraphs: int = 6,
) -> str:
    """A news article's page as publishers write them: JSON-LD, meta tags, a headline and paragraphs of text."""
    dated = f', "datePublished": "{published}"' if published else ""
    meta_date = f'<meta property="article:published_time" content="{published}">' if published else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    text = "\n".join(
        f"<p>The city council voted on Tuesday to double the recycling budget to $4.2 million, "
        f"Mayor Ana Flores said, adding that collection would reach {number} more districts by 2025. "
        f'"We have waited {number + 9} years for this decision," said council member Tom Price.</p>'
        for number in range(1, paragraphs + 1)
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title} | {publisher}</title>
<meta property="og:site_name" content="{publisher}">
<meta property="og:title" content="{title}">
{meta_date}
{link}
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "{title}"{dated},
  "author": {{"@type": "Person", "name": "{author}"}},
  "publisher": {{"@type": "NewsMediaOrganization", "name": "{publisher}"}}}}
</script>
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/politics">Politics</a> <a href="/sport">Sport</a></nav></header>
<main><article>
<h1>{title}</h1>
<p class="byline">By {author}</p>
{text}
</article></main>
<footer><p>Copyright {publisher}. All rights reserved.</p></footer>
</body>
</html>"""
