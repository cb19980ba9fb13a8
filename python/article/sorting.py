"""Section 10: merge sort of many random lists, CPU-bound (src/scenario/sort.rs).

The article's point about the GIL is made here: on threads, only one runs
Python at a time, so the sort is no faster than on one; on processes, each
has its own interpreter and its own GIL, and the cores share the work. Only
the sorting is timed; making the lists before and checking them after are
the same for every backend.
"""

import logging
import random
import time

import record
from backends import CPU


def merge_sort(values):
    """Textbook top-down merge sort, new lists at every level, as the
    article's (and as slow: that is the point)."""
    if len(values) <= 1:
        return values
    middle = len(values) // 2
    return merge(merge_sort(values[:middle]), merge_sort(values[middle:]))


def merge(left, right):
    """The two sorted lists as one; ties taken from the left, so stable."""
    merged, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        if right[j] < left[i]:
            merged.append(right[j])
            j += 1
        else:
            merged.append(left[i])
            i += 1
    merged.extend(left[i:])
    merged.extend(right[j:])
    return merged


def generate(lists, length, seed):
    """`lists` seeded lists of `length` random 32-bit integers."""
    rng = random.Random(seed)
    return [[rng.getrandbits(32) for _ in range(length)] for _ in range(lists)]


def fingerprint(values):
    """What sorting must keep: the length, the sum and the sum of squares."""
    return len(values), sum(values), sum(value * value for value in values)


def check(index, values, before):
    """Fails unless list `index` came out sorted with the same elements."""
    if any(values[k] > values[k + 1] for k in range(len(values) - 1)):
        raise AssertionError(f"list {index} is not sorted")
    if fingerprint(values) != before:
        raise AssertionError(f"list {index} is sorted but is not a permutation of its input")


def run(backend, lists, length, seed):
    """The scenario: log, make the lists, sort (timed), log, check. CPU work
    has sizes, not a unit: it has no timeline to scale."""
    logging.info("Starting Sorting")
    data = generate(lists, length, seed)
    before = [fingerprint(values) for values in data]
    cpu, start = record.cpu_time(), time.perf_counter()
    sorted_lists, workers = backend.sort_all(data, merge_sort)
    wall, cpu = time.perf_counter() - start, record.cpu_time() - cpu
    logging.info("Sorting Completed")
    for index, (values, fingerprint_before) in enumerate(zip(sorted_lists, before)):
        check(index, values, fingerprint_before)
    return {"wall": wall, "cpu": cpu, "threads": workers, "note": f"{lists} × {length}"}


SCENARIOS = {"sort": (CPU, run)}
