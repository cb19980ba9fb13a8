"""What concur reads from a Python run: the article's log, and machine lines.

The programs log with `logging.info`, as the article does, in its format
`%(asctime)s:%(threadName)s:%(message)s`. By hand, `asctime` is the time of
day (`%H:%M:%S`), so the output reads like the article's. With `--harness`
(how concur starts them), `asctime` is the time since the run began,
`2.000131s`, precise enough to check a timeline at a 50 ms unit, and three
more kinds of line go to stdout, each `@` and one JSON object:

- trace events in concur's own vocabulary (`task_start`, `poll_begin`,
  `sleep_requested`, ... as in `concur run --trace`), from the traced
  asyncio loop (`traced_loop.py`);
- `span`: a blocking call, which thread made it, from when to when, and
  for a sleep how late it woke;
- `outcome`: what the run found (the final value, the sort's own times),
  once, at the end.

Every line is written under one lock, and stamped under it, so the lines
come out in time order, as concur's recorder keeps its own.
"""

import json
import logging
import os
import sys
import threading
import time

FORMAT = "%(asctime)s:%(threadName)s:%(message)s"

# The run's time zero (a perf_counter reading), set by `start`.
_zero = None
# Whether concur is reading: elapsed times and machine lines.
_harness = False
# The one handler; its lock orders every line.
_handler = None


class _ElapsedFormatter(logging.Formatter):
    """The article's format, with `asctime` as seconds since time zero."""

    def formatTime(self, record, datefmt=None):
        return f"{record.elapsed:.6f}s"


class _Handler(logging.StreamHandler):
    """Stamps each record with the run's time while holding the lock, so
    that the order of the lines is the order of their times."""

    def emit(self, record):
        record.elapsed = elapsed()
        super().emit(record)


def start(harness):
    """Starts the run's clock and the log; `harness` when concur reads it."""
    global _zero, _harness, _handler
    _harness = harness
    _handler = _Handler(sys.stdout)
    if harness:
        _handler.setFormatter(_ElapsedFormatter(FORMAT))
        _watch_parent()
    else:
        _handler.setFormatter(logging.Formatter(FORMAT, datefmt="%H:%M:%S"))
    logging.basicConfig(level=logging.INFO, handlers=[_handler])
    _zero = time.perf_counter()


def elapsed():
    """Seconds since time zero."""
    return time.perf_counter() - _zero


def micros(seconds):
    """Whole microseconds, as concur's trace counts them."""
    return max(0, round(seconds * 1e6))


def event(kind, **fields):
    """One trace event of `kind` at the current time, on the current
    thread's lane."""
    if _harness:
        with _handler.lock:
            lane = threading.current_thread().name
            _write({"event": kind, "at_us": micros(elapsed()), "lane": lane, **fields})


def blocking_sleep(seconds):
    """`time.sleep`, recorded as a blocking call on this thread, with how
    late it woke: the machine's noise, as concur's `Recorder::block_for`
    records it on the Rust backends."""
    begin = elapsed()
    time.sleep(seconds)
    end = elapsed()
    _span("blocking call", begin, end, late=max(0.0, end - begin - seconds))


def blocking_call(label, call):
    """Runs `call`, a blocking call of no set length, recorded as a span
    called `label` (concur's `Recorder::block_on_call`)."""
    begin = elapsed()
    call()
    _span(label, begin, elapsed())


def _span(label, begin, end, late=None):
    """One span of this thread, from `begin` to `end`."""
    if _harness:
        with _handler.lock:
            lane = threading.current_thread().name
            _write({"event": "span", "lane": lane, "label": label, "begin_us": micros(begin),
                    "end_us": micros(end), "late_us": None if late is None else micros(late)})


def outcome(value=None, wall=None, cpu=None, threads=None, note=None):
    """The run's result, the last line. `wall` and `cpu` are the work's own
    times (the sort times only its sorting); without them, CPU time is the
    whole process's, the interpreter's start included: here the program is
    the run."""
    if cpu is None:
        cpu = cpu_time()
    if _harness:
        with _handler.lock:
            _write({"event": "outcome", "value": value, "cpu_us": micros(cpu),
                    "wall_us": None if wall is None else micros(wall),
                    "threads": threads, "note": note})


def cpu_time():
    """CPU time of this process (every thread) and its children that have
    been waited for, in seconds."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


def _write(fields):
    """Writes one machine line; the caller holds the handler's lock, which
    orders it among the log's lines."""
    _handler.stream.write("@" + json.dumps(fields, ensure_ascii=False) + "\n")
    _handler.stream.flush()


def _watch_parent():
    """Ends this process when concur goes away.

    concur holds the write end of our stdin and never writes: end of file
    means it exited or was killed, and a run nobody reads must not go on
    (a deadlocked loop would wait for ever). `os.read` on the raw file
    descriptor, not `sys.stdin`, because a forked pool worker closes
    `sys.stdin`, which would block on a buffer lock this thread holds."""

    def watch():
        while os.read(0, 4096):
            pass
        os._exit(1)

    # An explicit name, so that the article's threads stay Thread-1, Thread-2.
    threading.Thread(target=watch, name="concur-parent-watch", daemon=True).start()
