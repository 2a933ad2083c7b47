"""Side-by-side extraction scores on a folder of saved pages with ground truth.

Usage: compare.py EVAL_DIR PAPERBOY_BINARY

Each page folder holds page.html and expected.json (see the folder's README). Every
extractor gets the same decoded page and its URL; the scores are the README's: title
(exact after NFKC and whitespace removal), date (the day in +08:00, on pages that show a
time), author (lenient: expected author or source within predicted author + source),
body F1 over the bag of characters, and the tw- pages' snippets.
"""

import datetime
import json
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def normalise(text):
    return "".join(c for c in unicodedata.normalize("NFKC", text or "") if not c.isspace())


def decode(raw):
    head = raw[:4096].decode("ascii", "replace")
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", head)
    candidates = [match.group(1)] if match else []
    candidates += ["utf-8", "gb18030"]
    for name in candidates:
        name = "gb18030" if name.lower() in ("gbk", "gb2312") else name
        try:
            return raw.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


def day_of(value):
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value).strip()
        try:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            match = re.search(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", text)
            if not match:
                return None
            return "%04d-%02d-%02d" % tuple(int(g) for g in match.groups())
    if moment.tzinfo is not None:
        moment = moment.astimezone(BEIJING)
    return moment.date().isoformat()


def bag_f1(predicted, expected):
    p, e = Counter(normalise(predicted)), Counter(normalise(expected))
    overlap = sum((p & e).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(e.values())
    return 2 * precision * recall / (precision + recall)


# Extractors: each takes (html, url, path) and returns title, published, author, source, text.

def paperboy(binary):
    def run(html, url, path):
        args = [binary, "extract", str(path)]
        if url:
            args += ["--url", url]
        out = subprocess.run(args, capture_output=True, check=True, timeout=60).stdout
        got = json.loads(out)
        return got["title"], got["published"], got["author"], got["source"], got["text"]
    return run


def trafilatura_extractor():
    import trafilatura

    def run(html, url, path):
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        if doc is None:
            return "", None, None, None, ""
        get = (lambda k: doc.get(k)) if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
        return get("title"), get("date"), get("author"), get("sitename"), get("text") or ""
    return run


def gne_extractor():
    from gne import GeneralNewsExtractor
    extractor = GeneralNewsExtractor()

    def run(html, url, path):
        got = extractor.extract(html)
        return got.get("title"), got.get("publish_time"), got.get("author"), None, got.get("content") or ""
    return run


def newspaper_extractor():
    import newspaper

    def run(html, url, path):
        # fetch_images off: scoring the top image would fetch pictures from the internet.
        article = newspaper.Article(url or "http://example.invalid/", language="zh",
                                    fetch_images=False)
        article.download(input_html=html)
        article.parse()
        return (article.title, article.publish_date, ", ".join(article.authors),
                article.meta_site_name, article.text or "")
    return run


def magic_html_extractor():
    from magic_html import GeneralExtractor
    import lxml.html
    extractor = GeneralExtractor()

    def run(html, url, path):
        got = extractor.extract(html, base_url=url or "")
        text = lxml.html.fromstring(got.get("html") or "<p></p>").text_content()
        return got.get("title"), None, None, None, text
    return run


def load(name, factory):
    try:
        return factory()
    except Exception as err:  # an extractor that is not installed is reported, not hidden
        print(f"note: {name} unavailable: {err}", file=sys.stderr)
        return None


def main():
    eval_dir, binary = Path(sys.argv[1]), sys.argv[2]
    extractors = {
        "paperboy": paperboy(binary),
        "trafilatura": load("trafilatura", trafilatura_extractor),
        "GNE": load("GNE", gne_extractor),
        "magic-html": load("magic-html", magic_html_extractor),
        "newspaper4k": load("newspaper4k", newspaper_extractor),
    }
    pages = sorted(p for p in eval_dir.iterdir() if (p / "expected.json").exists())
    rows = {}
    for name, run in extractors.items():
        if run is None:
            rows[name] = None
            continue
        sums = {k: [0.0, 0] for k in ("title", "date", "author", "f1", "snippets")}
        weak, started = [], time.perf_counter()
        for page in pages:
            expected = json.loads((page / "expected.json").read_text())
            path = page / "page.html"
            html = decode(path.read_bytes())
            try:
                title, published, author, source, text = run(html, expected.get("url"), path)
            except Exception as err:
                print(f"note: {name} failed on {page.name}: {err}", file=sys.stderr)
                title, published, author, source, text = "", None, None, None, ""
            sums["title"][0] += normalise(title) == normalise(expected["title"])
            sums["title"][1] += 1
            days = [t[:10] for t in [expected.get("publish_time")] + expected.get("publish_time_alternatives", []) if t]
            if days:
                sums["date"][0] += day_of(published) in days
                sums["date"][1] += 1
            wanted = [normalise(expected[k]) for k in ("author", "source") if expected.get(k)]
            if wanted:
                got = normalise((author or "") + (source or ""))
                sums["author"][0] += any(w in got for w in wanted)
                sums["author"][1] += 1
            if expected.get("content"):
                f1 = bag_f1(text, expected["content"])
                sums["f1"][0] += f1
                sums["f1"][1] += 1
                if f1 < 0.6:
                    weak.append(page.name)
            if expected.get("content_contains"):
                body = normalise(text)
                sums["snippets"][0] += all(normalise(s) in body for s in expected["content_contains"])
                sums["snippets"][1] += 1
        rows[name] = ({k: (s / n if n else float("nan")) for k, (s, n) in sums.items()},
                      len(weak), time.perf_counter() - started)
    print(f"{len(pages)} pages in {eval_dir}")
    print(f"| {'extractor':<12} | title | date  | author | body F1 | snippets | pages F1<0.6 | seconds |")
    print(f"|{'-' * 14}|-------|-------|--------|---------|----------|--------------|---------|")
    for name, row in rows.items():
        if row is None:
            print(f"| {name:<12} | not installable here{' ' * 55}|")
            continue
        scores, weak, seconds = row
        print(f"| {name:<12} | {scores['title']:.3f} | {scores['date']:.3f} | {scores['author']:.3f}  "
              f"|  {scores['f1']:.3f}  |  {scores['snippets']:.3f}   | {weak:>12} | {seconds:7.1f} |")


if __name__ == "__main__":
    main()
