"""Writes the feed the serving bench publishes (100 items of distinct ~1.4 KB texts, so
the published Atom document is about 140 KB) and serves it on 127.0.0.1.

Usage: python3 fixture.py DIR PORT
"""

import http.server
import functools
import pathlib
import sys

WORDS = "民生实事推进会召开城乡道路改造完工群众出行更方便教育医疗养老就业交通水电网络"


def text(n):
    chars = []
    state = n * 2654435761 % 2**32 or 1
    for _ in range(420):
        state = (state * 1103515245 + 12345) % 2**31
        chars.append(WORDS[state % len(WORDS)])
    return "".join(chars)


def main(directory, port):
    root = pathlib.Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    items = "".join(
        f"<item><title>第{n}条 {text(n)[:12]}</title><link>http://news.example.cn/{n}.html</link>"
        f"<pubDate>Mon, {1 + n % 28:02d} Nov 2026 08:{n % 60:02d}:00 +0800</pubDate>"
        f"<description>&lt;p&gt;{text(n)}。&lt;/p&gt;</description></item>"
        for n in range(100)
    )
    (root / "rss.xml").write_text(
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>要闻</title>{items}</channel></rss>',
        encoding="utf-8",
    )

    # Python's default accept queue (5) drops connections a concurrent client opens, which
    # then wait a second for the SYN to be sent again.
    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 128

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    Server(("127.0.0.1", int(port)), handler).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
