"""A3: two tasks take two `asyncio.Lock`s in opposite order, with an await
in between, and wait for each other for ever (src/scenario/deadlock.rs).

asyncio cannot tell this from a long wait: the loop sleeps in its selector
with nothing due. The program never ends; concur's watchdog stops it after
a few units without a line and reports no progress, as for smol and tokio.
"""

import asyncio
import logging

from backends import EVENT_LOOP


async def take_both(name, first, second, unit):
    """Takes `first`, sleeps a unit, then takes `second`; both are
    (name, lock) pairs."""
    (first_name, first_lock), (second_name, second_lock) = first, second
    async with first_lock:
        logging.info(f"{name} locked {first_name}")
        await asyncio.sleep(unit)
        logging.info(f"{name} waits for {second_name}")
        async with second_lock:
            logging.info(f"{name} locked both")


def deadlock(backend, unit):
    """A takes m1 then m2, B takes m2 then m1."""

    async def main():
        m1, m2 = ("m1", asyncio.Lock()), ("m2", asyncio.Lock())
        a = asyncio.create_task(take_both("A", m1, m2, unit), name="A")
        b = asyncio.create_task(take_both("B", m2, m1, unit), name="B")
        await a
        await b
        logging.info("Both finished")

    backend.run_loop(main)


SCENARIOS = {"deadlock": (EVENT_LOOP, deadlock)}
