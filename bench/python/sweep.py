"""The sweep bench's Python side: the official Cloudflare SDK doing what the Rust bench's sweep
does, as its users would write it. Lists the catalog's namespaces, then each namespace's tables,
and turns compaction on for each table: one call after the other (`sequential`), or with asyncio
at most CONCURRENCY calls at once (`asyncio`). Prints {"seconds": …, "updated": …} on stdout;
the time covers the whole sweep, listings included, and not the interpreter's start or imports.

    python sweep.py sequential|asyncio BASE_URL CA_FILE ACCOUNT_ID BUCKET CONCURRENCY

The API token comes from CLOUDFLARE_API_TOKEN, as the SDK reads it.
"""

import asyncio
import json
import sys
import time

from cloudflare import AsyncCloudflare, Cloudflare, DefaultAsyncHttpxClient, DefaultHttpxClient

COMPACTION = {"state": "enabled"}


def sequential(base_url, ca_file, account_id, bucket):
    client = Cloudflare(base_url=base_url, http_client=DefaultHttpxClient(verify=ca_file))
    catalog = client.basin_catalog
    updated = 0
    namespaces = catalog.namespaces.list(account_id=account_id, bucket_name=bucket, page_size=1000)
    for namespace in namespaces.namespaces:
        name = "\x1f".join(namespace)
        tables = catalog.namespaces.tables.list(
            name, account_id=account_id, bucket_name=bucket, page_size=1000
        )
        for table in tables.identifiers:
            catalog.namespaces.tables.maintenance_configs.update(
                table.name,
                account_id=account_id,
                bucket_name=bucket,
                namespace=name,
                compaction=COMPACTION,
            )
            updated += 1
    return updated


async def concurrent(base_url, ca_file, account_id, bucket, concurrency):
    client = AsyncCloudflare(base_url=base_url, http_client=DefaultAsyncHttpxClient(verify=ca_file))
    catalog = client.basin_catalog
    limit = asyncio.Semaphore(concurrency)

    async def update(name, table):
        async with limit:
            await catalog.namespaces.tables.maintenance_configs.update(
                table,
                account_id=account_id,
                bucket_name=bucket,
                namespace=name,
                compaction=COMPACTION,
            )

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
    await asyncio.gather(*updates)
    await client.close()
    return len(updates)


def main():
    mode, base_url, ca_file, account_id, bucket, concurrency = sys.argv[1:7]
    started = time.perf_counter()
    if mode == "sequential":
        updated = sequential(base_url, ca_file, account_id, bucket)
    elif mode == "asyncio":
        updated = asyncio.run(concurrent(base_url, ca_file, account_id, bucket, int(concurrency)))
    else:
        raise SystemExit(f"unknown mode {mode!r}: sequential or asyncio")
    print(json.dumps({"seconds": time.perf_counter() - started, "updated": updated}))


if __name__ == "__main__":
    main()
