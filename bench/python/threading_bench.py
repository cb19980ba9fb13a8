"""concur bench, Python threading side: `python3 threading_bench.py <suite> <n>`.

One OS thread per task, as the article's threading examples. Prints one
JSON line of metrics with the names the Rust children use; same shapes as
src/bench/threads.rs."""

import json
import os
import queue
import random
import sys
import threading
import time

from measure import SEED, peak_rss_mib, percentile, status_bytes


def start_all(target, args_list):
    """Starts one thread per argument tuple and returns them."""
    threads = [threading.Thread(target=target, args=args, daemon=True) for args in args_list]
    for thread in threads:
        thread.start()
    return threads


def timers(n):
    """n threads each sleep a seeded 0..1 s; overhead beyond the longest."""
    rng = random.Random(SEED)
    sleeps = [rng.randrange(1_000_000) / 1e6 for _ in range(n)]
    cpu, start = time.process_time(), time.perf_counter()
    for thread in start_all(time.sleep, [(d,) for d in sleeps]):
        thread.join()
    wall = time.perf_counter() - start
    return {"overhead_ms": (wall - max(sleeps)) * 1e3,
            "cpu_ms": (time.process_time() - cpu) * 1e3, "rss_mib": peak_rss_mib()}


def spawn(n):
    """Start n threads that do nothing, then join them."""
    cpu, start = time.process_time(), time.perf_counter()
    for thread in start_all(lambda: None, [() for _ in range(n)]):
        thread.join()
    wall = time.perf_counter() - start
    return {"ns_per_task": wall * 1e9 / n,
            "cpu_ms": (time.process_time() - cpu) * 1e3, "rss_mib": peak_rss_mib()}


def pingpong(n):
    """Two threads pass a token n times over two queues."""
    to_pong, to_ping = queue.SimpleQueue(), queue.SimpleQueue()

    def pong():
        while (token := to_pong.get()) is not None:
            to_ping.put(token + 1)

    cpu, start = time.process_time(), time.perf_counter()
    (partner,) = start_all(pong, [()])
    token = 0
    for _ in range(n):
        to_pong.put(token)
        token = to_ping.get()
    wall = time.perf_counter() - start
    to_pong.put(None)
    partner.join()
    assert token == n
    return {"ns_per_round_trip": wall * 1e9 / n,
            "cpu_ms": (time.process_time() - cpu) * 1e3}


def lateness(count, seconds):
    """Lateness in µs of count sequential time.sleep calls."""
    late = []
    for _ in range(count):
        start = time.perf_counter()
        time.sleep(seconds)
        late.append(max(0.0, time.perf_counter() - start - seconds) * 1e6)
    return late


def precision(n):
    """n sleeps of 1 ms, then n // 5 of 10 ms."""
    cpu = time.process_time()
    short, long = lateness(n, 0.001), lateness(n // 5, 0.010)
    return {"p50_us": percentile(short, 50), "p99_us": percentile(short, 99),
            "max_us": percentile(short, 100), "p50_us_10ms": percentile(long, 50),
            "p99_us_10ms": percentile(long, 99), "cpu_ms": (time.process_time() - cpu) * 1e3}


def memory(n):
    """RSS growth per thread parked on an Event, n of them.

    The last thread to start sets `all_started`; a Barrier would wake all n
    threads at once, and n threads fighting for the GIL take minutes."""
    lock, all_started, never = threading.Lock(), threading.Event(), threading.Event()
    started = [0]

    def park():
        with lock:
            started[0] += 1
            if started[0] == n:
                all_started.set()
        never.wait()

    before = status_bytes("VmRSS")
    start_all(park, [() for _ in range(n)])
    all_started.wait()
    return {"bytes_per_pending_task": max(0, status_bytes("VmRSS") - before) / n,
            "rss_mib": peak_rss_mib()}


def main():
    """Runs the suite named on the command line and prints its metrics."""
    suite, n = sys.argv[1], int(sys.argv[2])
    runs = {"timers": timers, "spawn": spawn, "pingpong": pingpong,
            "precision": precision, "memory": memory}
    if suite not in runs or n < 1:
        sys.exit(f"usage: threading_bench.py {{{','.join(runs)}}} N")
    print(json.dumps(runs[suite](n)), flush=True)
    # Parked threads would keep the interpreter waiting.
    os._exit(0)


if __name__ == "__main__":
    main()
