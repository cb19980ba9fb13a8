"""What both Python benchmark scripts share: the seed and the measurements.

`asyncio_bench.py` and `threading_bench.py` import it. concur runs the
scripts with `python3 -c` and loads this file as the `measure` module first
(see src/bench/python.rs), so the import works from any directory."""

SEED = 2024


def status_bytes(field):
    """A size from /proc/self/status (VmRSS, VmHWM) in bytes; 0 off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def peak_rss_mib():
    """Peak resident memory so far, in MiB."""
    return status_bytes("VmHWM") / (1024 * 1024)


def percentile(values, p):
    """Nearest-rank percentile, as in src/bench/measure.rs."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), -(-len(ordered) * p // 100)))
    return ordered[int(rank) - 1]
