"""The sweep bench's Python side: the official Cloudflare SDK doing what the Rust bench's sweep
does, as its users would write it. Lists the catalog's namespaces, then each namespace's tables,
and turns compaction on for each table: one call after the other (`sequential`), or with asyncio
at most CONCURRENCY calls at once (`asyncio`). Prints
{"seconds": …, "updated": …, "failed": …, "unlisted": …} on stdout; the time covers the whole
sweep, listings included, and not the interpreter's start or imports.

    python sweep.py sequential|asyncio BASE_URL CA_FILE ACCOUNT_ID BUCKET CONCURRENCY

A call that Cloudflare's rate limit still refuses once the SDK's own retries are spent (it
retries a 429 twice, honouring Retry-After up to 60 s) is counted, not raised: `failed` for a
table's update, `unlisted` (sequential only) for a listing, whose tables are then not reached.
The bench reads these counts to say whether a plain loop gets through a rate-limited server.

The API token comes from CLOUDFLARE_API_TOKEN, as the SDK reads it.
"""

import asyncio
import json
import sys
import time

from cloudflare import (
    AsyncCloudflare,
    Cloudflare,
    DefaultAsyncHttpxClient,
    DefaultHttpxClient,
    RateLimitError,
)

COMPACTION = {"state": "enabled"}


def sequential(base_url, ca_file, account_id, bucket):
    client = Cloudflare(base_url=base_url, http_client=DefaultHttpxClient(verify=ca_file))
    catalog = client.basin_catalog
    counts = {"updated": 0, "failed": 0, "unlisted": 0}
    try:
        namespaces = catalog.namespaces.list(
            account_id=account_id, bucket_name=bucket, page_size=1000
        )
    except RateLimitError:
        counts["unlisted"] += 1
        return counts
    for namespace in namespaces.namespaces:
        name = "\x1f".join(namespace)
        try:
            tables = catalog.namespaces.tables.list(
                name, account_id=account_id, bucket_name=bucket, page_size=1000
            )
        except RateLimitError:
            counts["unlisted"] += 1
            continue
        for table in tables.identifiers:
            try:
                catalog.namespaces.tables.maintenance_configs.update(
                    table.name,
                    account_id=account_id,
                    bucket_name=bucket,
                    namespace=name,
                    compaction=COMPACTION,
                )
                counts["updated"] += 1
            except RateLimitError:
                counts["failed"] += 1
    return counts


async def concurrent(base_url, ca_file, account_id, bucket, concurrency):
    client = AsyncCloudflare(base_url=base_url, http_client=DefaultAsyncHttpxClient(verify=ca_file))
    catalog = client.basin_catalog
    limit = asyncio.Semaphore(concurrency)

    async def update(name, table):
        async with limit:
            try:
                await catalog.namespaces.tables.maintenance_configs.update(
                    table,
                    account_id=account_id,
                    bucket_name=bucket,
                    namespace=name,
                    compaction=COMPACTION,
                )
                return True
            except RateLimitError:
                return False

    namespaces = await catalog.namespaces.list(
        account_id=account_id, bucket_name=bucket, page_size=1000
    )
    names = ["\x1f".join(namespace) for namespace in namespaces.namespaces]
    listings = await asyncio.gather(
        *(
            catalog.namespaces.tables.list(
                name, account_id=account_id, bucket_name=bucket, page_size=1000
            )
            for name in names
        )
    )
    updates = [
        update(name, table.name)
        for name, tables in zip(names, listings)
        for table in tables.identifiers
    ]
    done = await asyncio.gather(*updates)
    await client.close()
    updated = sum(done)
    return {"updated": updated, "failed": len(done) - updated, "unlisted": 0}


def main():
    mode, base_url, ca_file, account_id, bucket, concurrency = sys.argv[1:7]
    started = time.perf_counter()
    if mode == "sequential":
        counts = sequential(base_url, ca_file, account_id, bucket)
    elif mode == "asyncio":
        counts = asyncio.run(concurrent(base_url, ca_file, account_id, bucket, int(concurrency)))
    else:
        raise SystemExit(f"unknown mode {mode!r}: sequential or asyncio")
    print(json.dumps({"seconds": time.perf_counter() - started, **counts}))


if __name__ == "__main__":
    main()
