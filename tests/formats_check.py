"""Checks the RSS 2.0 and JSON Feed 1.1 documents paperboy publishes beside Atom.

Usage: python3 tests/formats_check.py FILE.rss|FILE.json ...

RSS: Python feedparser must read it as RSS 2.0 without complaint, with a guid, title,
link, date and an HTML body for every item. JSON Feed: it must be valid against the JSON
Feed 1.1 schema in tests/fixtures/jsonfeed-1.1.schema.json (date-times and URIs checked),
with unique item ids (feedparser 6.0, the released version, does not read JSON Feed).
Prints "<file> <entries>" per file; exits
non-zero on the first problem.
"""

import json
import pathlib
import sys

import feedparser
import jsonschema

SCHEMA = pathlib.Path(__file__).parent / "fixtures" / "jsonfeed-1.1.schema.json"


def check_rss(path):
    feed = feedparser.parse(path)
    if feed.bozo:
        sys.exit(f"{path}: feedparser complains: {feed.bozo_exception}")
    if feed.version != "rss20":
        sys.exit(f"{path}: feedparser reads it as {feed.version!r}, not rss20")
    for entry in feed.entries:
        missing = [k for k in ("id", "title", "link", "published_parsed") if not entry.get(k)]
        if missing:
            sys.exit(f"{path}: item {entry.get('id')} lacks {missing}")
        body = entry.content[0] if "content" in entry else entry.summary_detail
        if body.type != "text/html":
            sys.exit(f"{path}: item {entry.id} body is {body.type}")
    return len(feed.entries)


def check_json(path):
    schema = json.loads(SCHEMA.read_text())
    document = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        sys.exit(f"{path}: not valid JSON Feed 1.1 at {list(first.path)}: {first.message}")
    ids = [item["id"] for item in document["items"]]
    if len(set(ids)) != len(ids):
        sys.exit(f"{path}: an item id appears twice")
    return len(document["items"])


def main(paths):
    for path in paths:
        count = check_rss(path) if path.endswith(".rss") else check_json(path)
        print(path, count)


if __name__ == "__main__":
    main(sys.argv[1:])
