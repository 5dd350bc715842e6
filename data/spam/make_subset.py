"""Rebuilds spam.jsonl.gz, a balanced subset of the SpamAssassin public corpus.

Usage: python3 make_subset.py ../../../shared/datasets/spamassassin.jsonl.gz
Rule: a message's key is "group/id" (ids repeat across groups); for each label (spam, ham)
the 750 messages with the smallest SHA-256 of their key are kept, then all 1,500 are ordered
by key. Each text is the message's Subject line followed by
its body (everything after the first blank line), with HTML tags removed, runs of
whitespace collapsed to one space, and cut to at most 1,500 characters. Output lines are
{"id": key, "label", "text"}, gzipped with a fixed timestamp so the bytes are reproducible.
"""
import gzip
import hashlib
import json
import re
import sys

PER_LABEL = 750
MAX_CHARS = 1500
TAG = re.compile(r"<[^>]*>")
SPACE = re.compile(r"\s+")


def clean(message):
    head, _, body = message.partition("\n\n")
    subject = next((line[len("Subject:"):].strip() for line in head.split("\n")
                    if line.lower().startswith("subject:")), "")
    text = SPACE.sub(" ", TAG.sub(" ", subject + "\n" + body)).strip()
    return text[:MAX_CHARS]


def main(source):
    by_label = {"spam": [], "ham": []}
    with gzip.open(source, "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            record["key"] = record["group"] + "/" + record["id"]
            by_label[record["label"]].append(record)
    kept = []
    for label, records in by_label.items():
        records.sort(key=lambda r: hashlib.sha256(r["key"].encode("utf-8")).hexdigest())
        kept.extend(records[:PER_LABEL])
    kept.sort(key=lambda r: r["key"])
    with open("spam.jsonl.gz", "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
            for r in kept:
                line = json.dumps({"id": r["key"], "label": r["label"], "text": clean(r["text"])}, ensure_ascii=False)
                out.write((line + "\n").encode("utf-8"))
    print(f"spam.jsonl.gz: {len(kept)} messages")


if __name__ == "__main__":
    main(sys.argv[1])
