#!/usr/bin/env python3
"""Time every documented view of an embarc archive through Datasette.

Usage: scripts/views-datasette.py ARCHIVE/embarc.db [--limit-ms 1000]

For each view it asks Datasette (in process, with its default
`sql_time_limit_ms` of 1000 unless --limit-ms says otherwise) for
`SELECT * FROM view LIMIT 100`, `SELECT count(*) FROM view` and the view's
own page (`/db/view.json`), and prints the time of each and whether
Datasette answered or gave up ("query took too long"). Exit 1 when any
query was interrupted.

Needs `pip install datasette`. Not a test: the figures depend on the
machine and how busy it is.
"""

import asyncio
import sys
import time
import urllib.parse

VIEWS = [
    "citation_details",
    "posts_with_articles",
    "open_queue",
    "claim_history",
    "post_states",
    "article_states",
    "state_changes",
]


async def main(db, limit_ms):
    from datasette.app import Datasette

    ds = Datasette(
        [db],
        settings={"sql_time_limit_ms": limit_ms, "num_sql_threads": 1},
    )
    await ds.invoke_startup()
    name = next(iter(ds.databases.keys() - {"_internal"}))
    failed = 0
    print(f"{db}: Datasette, sql_time_limit_ms={limit_ms}")
    for view in VIEWS:
        cells = []
        for label, path in [
            ("limit 100", f"/{name}.json?sql="
             + urllib.parse.quote(f"select * from {view} limit 100") + "&_shape=array"),
            ("count(*)", f"/{name}.json?sql="
             + urllib.parse.quote(f"select count(*) from {view}") + "&_shape=array"),
            ("page", f"/{name}/{view}.json?_shape=array"),
        ]:
            start = time.perf_counter()
            r = await ds.client.get(path)
            ms = (time.perf_counter() - start) * 1000
            ok = r.status_code == 200
            if not ok:
                failed += 1
            extra = ""
            if label == "count(*)" and ok:
                extra = f" = {r.json()[0]['count(*)']}"
            cells.append(f"{label} {ms:7.0f} ms {'ok' if ok else 'FAILED'}{extra}")
        print(f"  {view:<20} " + "   ".join(cells))
    return failed


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        sys.exit(1)
    limit = 1000
    if "--limit-ms" in args:
        i = args.index("--limit-ms")
        limit = int(args[i + 1])
        del args[i : i + 2]
    sys.exit(1 if asyncio.run(main(args[0], limit)) else 0)
