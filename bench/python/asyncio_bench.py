"""concur bench, Python asyncio side: `python3 asyncio_bench.py <suite> <n>`.

Prints one JSON line of metrics with the names the Rust children use, so
`concur bench` shows Python's event loop beside minirt, smol and tokio.
Same shapes as src/bench/tasks.rs: wall and CPU around the work only,
peak RSS from /proc/self/status (VmHWM)."""

import asyncio
import json
import os
import random
import sys
import time

from measure import SEED, peak_rss_mib, percentile, status_bytes


async def timers(n):
    """n tasks each sleep a seeded 0..1 s; overhead beyond the longest."""
    rng = random.Random(SEED)
    sleeps = [rng.randrange(1_000_000) / 1e6 for _ in range(n)]
    cpu, start = time.process_time(), time.perf_counter()
    tasks = [asyncio.create_task(asyncio.sleep(d)) for d in sleeps]
    for task in tasks:
        await task
    wall = time.perf_counter() - start
    return {"overhead_ms": (wall - max(sleeps)) * 1e3,
            "cpu_ms": (time.process_time() - cpu) * 1e3, "rss_mib": peak_rss_mib()}


async def nothing(i):
    """A task that does nothing but return its number."""
    return i


async def spawn(n):
    """Spawn n trivial tasks, then await each."""
    cpu, start = time.process_time(), time.perf_counter()
    tasks = [asyncio.create_task(nothing(i)) for i in range(n)]
    total = 0
    for task in tasks:
        total += await task
    wall = time.perf_counter() - start
    assert total == n * (n - 1) // 2
    return {"ns_per_task": wall * 1e9 / n,
            "cpu_ms": (time.process_time() - cpu) * 1e3, "rss_mib": peak_rss_mib()}


async def pingpong(n):
    """Two tasks pass a turn n times; each pass sets the other's Event."""
    turns = [asyncio.Event(), asyncio.Event()]

    async def player(side):
        for _ in range(n):
            await turns[side].wait()
            turns[side].clear()
            turns[1 - side].set()

    cpu, start = time.process_time(), time.perf_counter()
    turns[0].set()
    await asyncio.gather(player(0), player(1))
    wall = time.perf_counter() - start
    return {"ns_per_round_trip": wall * 1e9 / n,
            "cpu_ms": (time.process_time() - cpu) * 1e3}


async def lateness(count, seconds):
    """Lateness in µs of count sequential sleeps."""
    late = []
    for _ in range(count):
        start = time.perf_counter()
        await asyncio.sleep(seconds)
        late.append(max(0.0, time.perf_counter() - start - seconds) * 1e6)
    return late


async def precision(n):
    """n sleeps of 1 ms, then n // 5 of 10 ms."""
    cpu = time.process_time()
    short = await lateness(n, 0.001)
    long = await lateness(n // 5, 0.010)
    return {"p50_us": percentile(short, 50), "p99_us": percentile(short, 99),
            "max_us": percentile(short, 100), "p50_us_10ms": percentile(long, 50),
            "p99_us_10ms": percentile(long, 99), "cpu_ms": (time.process_time() - cpu) * 1e3}


async def memory(n):
    """RSS growth per task: n pending forever, then n asleep for an hour."""
    loop = asyncio.get_running_loop()
    started = [0]

    async def idle(awaitable):
        started[0] += 1
        await awaitable

    before = status_bytes("VmRSS")
    tasks = [asyncio.create_task(idle(loop.create_future())) for _ in range(n)]
    while started[0] < n:
        await asyncio.sleep(0)
    pending = status_bytes("VmRSS")
    tasks += [asyncio.create_task(idle(asyncio.sleep(3600))) for _ in range(n)]
    while started[0] < 2 * n:
        await asyncio.sleep(0)
    sleeping = status_bytes("VmRSS")
    return {"bytes_per_pending_task": max(0, pending - before) / n,
            "bytes_per_sleeping_task": max(0, sleeping - pending) / n, "rss_mib": peak_rss_mib()}


def main():
    """Runs the suite named on the command line and prints its metrics."""
    suite, n = sys.argv[1], int(sys.argv[2])
    runs = {"timers": timers, "spawn": spawn, "pingpong": pingpong,
            "precision": precision, "memory": memory}
    if suite not in runs or n < 1:
        sys.exit(f"usage: asyncio_bench.py {{{','.join(runs)}}} N")
    print(json.dumps(asyncio.run(runs[suite](n)) if suite != "memory" else run_memory(n)), flush=True)
    # Pending tasks and threads would only slow the exit down.
    os._exit(0)


def run_memory(n):
    """The memory suite leaves tasks pending: run it on a loop we drop."""
    loop = asyncio.new_event_loop()
    return loop.run_until_complete(memory(n))


if __name__ == "__main__":
    main()
