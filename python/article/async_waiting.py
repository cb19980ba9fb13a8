"""Sections 4 to 6 and A1 on asyncio: tasks, gather, a blocking call in a
task, and its cure (src/scenario/tasks.rs, gather.rs, blocking.rs,
blocking_fixed.rs). The article's code, with its seconds counted in units.

Each `delay_message` names its task after its message: the article has no
need to, but concur's trace, stall report and timeline then say `THREE`
where they would say `Task-4`, as they do for the Rust backends."""

import asyncio
import logging

import record
from backends import EVENT_LOOP

MESSAGES = [(1, "ONE"), (2, "TWO"), (3, "THREE"), (4, "FOUR"), (5, "FIVE")]


async def delay_message(delay, message, unit):
    """The article's async `delay_message`."""
    asyncio.current_task().set_name(message)
    logging.info(f"{message} received")
    await asyncio.sleep(delay * unit)
    logging.info(f"Printing {message}")


async def blocking_delay_message(delay, message, unit):
    """The mistake of section 6: THREE sleeps with `time.sleep`."""
    asyncio.current_task().set_name(message)
    logging.info(f"{message} received")
    if message == "THREE":
        record.blocking_sleep(delay * unit)
    else:
        await asyncio.sleep(delay * unit)
    logging.info(f"Printing {message}")


async def unblocked_delay_message(delay, message, unit):
    """The cure (A1): THREE's `time.sleep` on a helper thread, awaited."""
    asyncio.current_task().set_name(message)
    logging.info(f"{message} received")
    if message == "THREE":
        await asyncio.to_thread(record.blocking_sleep, delay * unit)
    else:
        await asyncio.sleep(delay * unit)
    logging.info(f"Printing {message}")


def tasks(backend, unit):
    """Section 4: count the tasks, create two, count again, await both."""

    async def main():
        logging.info("Main started")
        logging.info(f"Current registered tasks: {len(asyncio.all_tasks())}")
        logging.info("Creating tasks")
        task_1 = asyncio.create_task(delay_message(2, "TWO", unit))
        task_2 = asyncio.create_task(delay_message(3, "THREE", unit))
        logging.info(f"Current registered tasks: {len(asyncio.all_tasks())}")
        await task_1
        await task_2
        logging.info("Main Ended")

    backend.run_loop(main)


def gather(backend, unit):
    """Section 5: the five messages, gathered."""

    async def main():
        logging.info("Main started")
        await asyncio.gather(*(delay_message(d, m, unit) for d, m in MESSAGES))
        logging.info("Main Ended")

    backend.run_loop(main)


def blocking(backend, unit):
    """Section 6: as gather, THREE blocking the loop."""

    async def main():
        logging.info("Main started")
        logging.info("Creating multiple tasks with asyncio.gather")
        await asyncio.gather(*(blocking_delay_message(d, m, unit) for d, m in MESSAGES))
        logging.info("Main Ended")

    backend.run_loop(main)


def blocking_fixed(backend, unit):
    """A1: as blocking, THREE's call handed to `asyncio.to_thread`."""

    async def main():
        logging.info("Main started")
        await asyncio.gather(*(unblocked_delay_message(d, m, unit) for d, m in MESSAGES))
        logging.info("Main Ended")

    backend.run_loop(main)


SCENARIOS = {
    "tasks": (EVENT_LOOP, tasks),
    "gather": (EVENT_LOOP, gather),
    "blocking": (EVENT_LOOP, blocking),
    "blocking-fixed": (EVENT_LOOP, blocking_fixed),
}
