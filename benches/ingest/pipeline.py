"""What a user would run instead of paperboy: a plain Python pipeline over the same
sources. Feeds are read with feedparser, article pages of a column with lxml and
trafilatura, items kept in SQLite (one row per link), and each feed written as Atom with
feedgen, its newest ENTRIES items.

    python pipeline.py DB OUT_DIR ENTRIES feeds|columns URL...
"""

import sqlite3
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin

import lxml.html
from feedgen.feed import FeedGenerator


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def store(db, rows):
    db.executemany(
        "INSERT OR IGNORE INTO items (link, title, published, author, body) VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    db.commit()


def feed_rows(document):
    import feedparser

    parsed = feedparser.parse(document)
    rows = []
    for entry in parsed.entries:
        body = entry.get("content", [{}])[0].get("value") or entry.get("summary", "")
        text = lxml.html.fromstring(body).text_content() if body.strip() else ""
        rows.append(
            (entry.get("link"), entry.get("title"), entry.get("published"), entry.get("author"), text)
        )
    return rows


def column_rows(pool, url):
    import trafilatura

    page = lxml.html.fromstring(get(url))
    links = [urljoin(url, href) for href in page.xpath("//a[@class='t']/@href")]
    rows = []
    for link, html in zip(links, pool.map(get, links)):
        document = trafilatura.bare_extraction(html, url=link, with_metadata=True)
        if document is None:
            continue
        rows.append((link, document.title, document.date, document.author, document.text))
    return rows


def publish(db, out, entries):
    generator = FeedGenerator()
    generator.id("urn:bench")
    generator.title("bench")
    generator.link(href="http://127.0.0.1/bench.atom", rel="self")
    rows = db.execute(
        "SELECT link, title, published, author, body FROM items ORDER BY published DESC LIMIT ?",
        (entries,),
    )
    for link, title, published, author, body in rows:
        entry = generator.add_entry()
        entry.id(link)
        entry.title(title or link)
        entry.link(href=link)
        if author:
            entry.author(name=author)
        entry.content(body or "", type="text")
    generator.atom_file(out)


def main():
    db_path, out, entries, part, *urls = sys.argv[1:]
    db = sqlite3.connect(db_path)
    db.execute(
        "CREATE TABLE IF NOT EXISTS items (link TEXT PRIMARY KEY, title TEXT, published TEXT, author TEXT, body TEXT)"
    )
    with ThreadPoolExecutor(max_workers=8) as pool:
        if part == "feeds":
            for document in pool.map(get, urls):
                store(db, feed_rows(document))
        else:
            for url in urls:
                store(db, column_rows(pool, url))
    publish(db, out, int(entries))
    count = db.execute("SELECT count(*) FROM items").fetchone()[0]
    print(count)


if __name__ == "__main__":
    main()
