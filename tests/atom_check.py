"""Checks published Atom documents the way feed readers and validators see them.

Usage: python3 tests/atom_check.py FILE...

Each file must be valid against RFC 4287's RELAX NG schema (tests/fixtures/atom.rnc,
converted with rnc2rng and checked by lxml), and Python feedparser must read it as Atom
1.0 without complaint, with an id, title, link, times and an HTML body for every entry.
Prints "<file> <entries>" per file; exits non-zero on the first problem.
"""

import pathlib
import sys

import feedparser
import lxml.etree
import rnc2rng

SCHEMA = pathlib.Path(__file__).parent / "fixtures" / "atom.rnc"


def relax_ng():
    rng = rnc2rng.dumps(rnc2rng.load(str(SCHEMA)))
    # rnc2rng declares the empty `local` namespace prefix, which XML forbids.
    rng = rng.replace('xmlns:local=""', "")
    return lxml.etree.RelaxNG(lxml.etree.fromstring(rng.encode()))


def main(paths):
    schema = relax_ng()
    for path in paths:
        document = lxml.etree.parse(path)
        if not schema.validate(document):
            sys.exit(f"{path}: not valid RFC 4287 Atom: {schema.error_log}")
        feed = feedparser.parse(path)
        if feed.bozo:
            sys.exit(f"{path}: feedparser complains: {feed.bozo_exception}")
        if feed.version != "atom10":
            sys.exit(f"{path}: feedparser reads it as {feed.version!r}, not atom10")
        for entry in feed.entries:
            missing = [k for k in ("id", "title", "link", "published_parsed", "updated_parsed") if not entry.get(k)]
            if missing:
                sys.exit(f"{path}: entry {entry.get('id')} lacks {missing}")
            body = entry.content[0] if "content" in entry else entry.summary_detail
            if body.type != "text/html":
                sys.exit(f"{path}: entry {entry.id} body is {body.type}")
        print(path, len(feed.entries))


if __name__ == "__main__":
    main(sys.argv[1:])
