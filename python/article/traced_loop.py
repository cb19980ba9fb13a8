"""The `py-asyncio` loop: the standard library's, traced as concur traces its own.

concur wraps what it hands a Rust runtime: each task's future, to see its
polls, and the loop's sleep, to see when a sleeper was due and when it ran
again (src/trace/poll.rs). Here the same is done to asyncio: a task factory
wraps each task's coroutine so every step (asyncio's poll) is seen, and
`asyncio.sleep` is wrapped for the length of the run. The events use
concur's vocabulary, so the stall report, the timeline and `--trace` read a
Python run as they read a Rust one. Without `--harness` nothing is emitted.
"""

import asyncio
import collections.abc
import itertools

import record


class _Traced(collections.abc.Coroutine):
    """A task's coroutine, wrapped: each `send` or `throw` is one step."""

    def __init__(self, coro, number):
        self._coro = coro
        self.number = number
        # The task that runs it, known once the factory has made it.
        self.task = None

    def send(self, value):
        return self._step(self._coro.send, value)

    def throw(self, *exception):
        return self._step(self._coro.throw, *exception)

    def close(self):
        return self._coro.close()

    def __await__(self):
        return self._coro.__await__()

    def _step(self, resume, *arguments):
        """Runs one step between `poll_begin` and `poll_end`; when the
        coroutine returns or raises, the task has ended."""
        record.event("poll_begin", task=self.number, name=self.task.get_name())
        finished = True
        try:
            yielded = resume(*arguments)
            finished = False
            return yielded
        finally:
            # The name again: a task may name itself during the step.
            record.event("poll_end", task=self.number, name=self.task.get_name())
            if finished:
                record.event("task_end", task=self.number)


def _task_factory(numbers):
    """A task factory that numbers every task and traces its coroutine."""

    def factory(loop, coro, **options):
        traced = _Traced(coro, next(numbers))
        task = asyncio.Task(traced, loop=loop, **options)
        traced.task = task
        record.event("task_start", task=traced.number, name=task.get_name())
        return task

    return factory


def _traced_sleep(real_sleep, numbers):
    """`asyncio.sleep`, reporting when it was asked for and when the
    sleeper ran again (which is when the program sees the time pass)."""

    async def sleep(delay, result=None):
        number, deadline = next(numbers), record.micros(record.elapsed() + delay)
        task = asyncio.current_task().get_coro().number
        record.event("sleep_requested", task=task, sleep=number, deadline_us=deadline)
        value = await real_sleep(delay, result)
        record.event("sleep_fired", task=task, sleep=number, deadline_us=deadline)
        return value

    return sleep


def run(main):
    """Runs the coroutine `main()` to completion on a new loop, traced,
    like `asyncio.run(main())`; its task is called `main`, as in concur's."""
    loop = asyncio.new_event_loop()
    loop.set_task_factory(_task_factory(itertools.count(1)))
    real_sleep = asyncio.sleep
    asyncio.sleep = _traced_sleep(real_sleep, itertools.count(1))
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(loop.create_task(main(), name="main"))
    finally:
        # Untraced from here: shutting down is the loop's business, not the program's.
        asyncio.sleep = real_sleep
        loop.set_task_factory(None)
        asyncio.set_event_loop(None)
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
