#!/usr/bin/env python3
"""Baseline for scripts/bench-corpus.sh: extract tweet ids with BeautifulSoup + lxml.

usage: python3 scripts/baseline_bs4.py DIR

Reads every .html/.htm file under DIR, parses it with BeautifulSoup(data, "lxml")
and collects the tweet ids it embeds: status links inside blockquote.twitter-tweet,
data-tweet-id attributes and amp-twitter data-tweetid. It does nothing else (no
dates, handles, text or other platforms): it is the cheapest useful Python
equivalent that embarc's archive run is compared against.

Prints the number of files and the tweet ids found (distinct per page, summed
over pages) as `files N tweet_ids M`.

Needs: pip install beautifulsoup4 lxml
"""

import os
import re
import sys

try:
    from bs4 import BeautifulSoup
    import lxml  # noqa: F401  (the parser BeautifulSoup is asked for)
except ImportError:
    sys.exit("baseline_bs4.py needs BeautifulSoup and lxml: pip install beautifulsoup4 lxml")

STATUS = re.compile(r"/status(?:es)?/(\d{1,20})")


def tweet_ids(soup):
    ids = set()
    for bq in soup.select("blockquote.twitter-tweet"):
        for a in bq.find_all("a", href=True):
            m = STATUS.search(a["href"])
            if m:
                ids.add(m.group(1))
    for el in soup.find_all(attrs={"data-tweet-id": True}):
        ids.add(el["data-tweet-id"].strip())
    for el in soup.find_all("amp-twitter"):
        if el.get("data-tweetid"):
            ids.add(el["data-tweetid"].strip())
    return {i for i in ids if i.isdigit()}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2])
    files = total = 0
    for root, _dirs, names in os.walk(sys.argv[1]):
        for name in sorted(names):
            if not name.lower().endswith((".html", ".htm")):
                continue
            with open(os.path.join(root, name), "rb") as f:
                data = f.read()
            soup = BeautifulSoup(data, "lxml")
            total += len(tweet_ids(soup))
            files += 1
    print(f"files {files} tweet_ids {total}")


if __name__ == "__main__":
    main()
