#!/usr/bin/env python3
"""Peer for scripts/bench-corpus.sh (issue 17): find tweet ids with selectolax.

usage: python3 scripts/peer_selectolax.py DIR [--workers N]

Reads every .html/.htm file under DIR in N worker processes (default 2), parses
it with selectolax's lexbor parser (its older parser if lexbor is missing) and
collects tweet ids: data-tweet-id attributes, status links in
blockquote.twitter-tweet, amp-twitter data-tweetid, and any a[href] to a
twitter.com/x.com status. Prints `files F ids I unique_ids U seconds S`: ids
distinct per file summed over files (as baseline_bs4.py counts), unique_ids
distinct over all files, seconds the script's wall time. Needs: pip install selectolax
"""

import argparse
import multiprocessing
import os
import re
import sys
import time

try:
    from selectolax.lexbor import LexborHTMLParser as Parser
except ImportError:
    try:
        from selectolax.parser import HTMLParser as Parser
    except ImportError:
        sys.exit("peer_selectolax.py needs selectolax: pip install selectolax")

STATUS = re.compile(r"/status(?:es)?/(\d{1,20})")
TWITTER = re.compile(r"^(?:https?:)?//(?:[\w-]+\.)*(?:twitter|x)\.com/"
                     r"(?:[^?#]*/)?status(?:es)?/(\d{1,20})", re.I)


def tweet_ids(path):
    with open(path, "rb") as f:
        tree = Parser(f.read())
    ids = set()
    for pattern, selector, attr in ((STATUS, "blockquote.twitter-tweet a[href]", "href"),
                                    (TWITTER, "a[href]", "href"),
                                    (None, "[data-tweet-id]", "data-tweet-id"),
                                    (None, "amp-twitter[data-tweetid]", "data-tweetid")):
        for node in tree.css(selector):
            value = (node.attributes.get(attr) or "").strip()
            if pattern is not None:
                m = pattern.search(value)
                value = m.group(1) if m else ""
            ids.add(value)
    return {i for i in ids if i.isdigit()}


def main():
    args = argparse.ArgumentParser(description="tweet ids in DIR's HTML files, with selectolax")
    args.add_argument("dir")
    args.add_argument("--workers", type=int, default=2)
    opts = args.parse_args()
    start = time.perf_counter()
    paths = sorted(os.path.join(root, name) for root, _dirs, names in os.walk(opts.dir)
                   for name in names if name.lower().endswith((".html", ".htm")))
    with multiprocessing.Pool(opts.workers) as pool:
        per_file = pool.map(tweet_ids, paths, chunksize=max(1, len(paths) // (8 * opts.workers)))
    unique = set().union(*per_file)
    print(f"files {len(paths)} ids {sum(map(len, per_file))} unique_ids {len(unique)} "
          f"seconds {time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
