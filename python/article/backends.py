"""The Python backends: five ways of running the article's programs.

As on the Rust side (src/backend.rs), a program names the model it is
written for, never a backend, and a backend says which models it offers:

- `sequential`: plain code on the main thread;
- `threads`: jobs on OS threads, through `workers(max_workers)`, which
  starts a `threading.Thread` per job or reuses a `ThreadPoolExecutor`;
- `event-loop`: asyncio code, run by `run_loop(main)` on the standard
  library's loop with the harness's trace (`traced_loop.py`);
- `cpu`: the sort's lists, sorted by `sort_all(lists, sort_one)` on one
  thread, on threads (one per core, which the GIL lets run Python only one
  at a time) or on a pool of processes (one interpreter each, no shared GIL).

concur's `src/backend/python.rs` declares the same models for the same
names; a test checks that the two agree.
"""

import concurrent.futures
import concurrent.futures.thread  # Now, not at the first pool's first job.
import ctypes
import multiprocessing
import os
import signal
import threading

import traced_loop

SEQUENTIAL, THREADS, EVENT_LOOP, CPU = "sequential", "threads", "event-loop", "cpu"


class Backend:
    """A name and the models it offers: `workers` for threads, `run_loop`
    for the event loop, `sort_all` for CPU work."""

    def __init__(self, name, sequential=False, workers=None, run_loop=None, sort_all=None):
        self.name = name
        self.workers = workers
        self.run_loop = run_loop
        self.sort_all = sort_all
        offered = [(SEQUENTIAL, sequential), (THREADS, workers), (EVENT_LOOP, run_loop),
                   (CPU, sort_all)]
        self.models = [model for model, present in offered if present]


class _JobThread(threading.Thread):
    """A thread that hands its target's result to a future, which
    `threading.Thread` would drop. Given the target, Python names it as
    usual: `Thread-1 (delay_message)`."""

    def __init__(self, future, target, args):
        super().__init__(target=target, args=args)
        self.future = future

    def run(self):
        try:
            self.future.set_result(self._target(*self._args))
        except BaseException as error:  # Handed to whoever waits, as a pool does.
            self.future.set_exception(error)


class OsThreads:
    """One new thread per job, like `threading.Thread(...).start()`."""

    def __init__(self, max_workers):
        del max_workers  # A thread per job, however many.
        self._threads = []

    def submit(self, target, *args):
        """Starts `target(*args)` on a new thread; its future."""
        future = concurrent.futures.Future()
        thread = _JobThread(future, target, args)
        thread.start()
        self._threads.append(thread)
        return future

    def join(self):
        """Waits for every thread, as Python waits for non-daemon threads."""
        for thread in self._threads:
            thread.join()


class Pool:
    """A `ThreadPoolExecutor` of at most `max_workers` reused threads."""

    def __init__(self, max_workers):
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers)

    def submit(self, target, *args):
        """Queues `target(*args)`; its future."""
        return self._executor.submit(target, *args)

    def join(self):
        """Waits for every job and every worker, like `shutdown(wait=True)`."""
        self._executor.shutdown(wait=True)


def cores():
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def sort_sequential(lists, sort_one):
    """Every list, one after another, on this thread."""
    return [sort_one(values) for values in lists], 1


def sort_on_threads(lists, sort_one):
    """One thread per core, each taking the next list until none is left
    (as the Rust `threads` sort does); the GIL runs one at a time."""
    count = max(1, min(cores(), len(lists)))
    sorted_lists = [None] * len(lists)
    indices = iter(range(len(lists)))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                index = next(indices, None)
            if index is None:
                return
            sorted_lists[index] = sort_one(lists[index])

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted_lists, count


def sort_on_processes(lists, sort_one):
    """A `ProcessPoolExecutor` of one process per core; every list is
    pickled to a worker and back, which is what processes pay.

    Forked, not spawned: the programs reach Python as `python3 -c` text
    (src/backend/python/programs.rs), which a spawned interpreter could not
    import again."""
    count = max(1, min(cores(), len(lists)))
    context = multiprocessing.get_context("fork")
    parent = os.getpid()
    with concurrent.futures.ProcessPoolExecutor(
            max_workers=count, mp_context=context, initializer=_die_with, initargs=(parent,)
    ) as pool:
        return list(pool.map(sort_one, lists)), count


def _die_with(parent):
    """In a pool worker: be killed when the parent dies, so that a killed
    run leaves no process behind (Linux's PR_SET_PDEATHSIG, through ctypes;
    where that is missing, the pool's own shutdown is all there is)."""
    set_parent_death_signal = 1
    try:
        ctypes.CDLL(None).prctl(set_parent_death_signal, signal.SIGKILL)
    except (AttributeError, OSError):
        return
    if os.getppid() != parent:  # The parent died before the call.
        os._exit(1)


ALL = [
    Backend("py-sync", sequential=True, sort_all=sort_sequential),
    Backend("py-threads", workers=OsThreads, sort_all=sort_on_threads),
    Backend("py-pool", workers=Pool),
    Backend("py-asyncio", run_loop=traced_loop.run),
    Backend("py-processes", sort_all=sort_on_processes),
]


def find(name):
    """The backend called `name`, or None."""
    return next((backend for backend in ALL if backend.name == name), None)
