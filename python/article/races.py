"""Sections 7 to 9: two updates of a fake database without a lock, with
one, and as two tasks on one loop (src/scenario/race.rs, race_locked.rs,
race_async.rs).

In the article the lost update is luck: whether the second thread reads
before the first writes depends on when the OS and the GIL switch threads.
Here it is built in, as on the Rust side. The compute step has a small
blocking think time (a simulated round trip to the database, the formula
of `think_time` in race.rs), and, without the lock, each thread waits after
reading until the other has read too (a `threading.Barrier`), so both read
0 before either writes, however loaded the machine. The locked update needs
no such wait (the lock rules out a second reader), nor do the tasks on one
loop (no other task runs until this one awaits, and the update has no
await), so they just think.
"""

import asyncio
import logging
import threading

import record
from backends import EVENT_LOOP, THREADS


class FakeDatabase:
    """The article's: a value, and a lock only the locked update takes."""

    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()


def think_time(unit):
    """The compute step's think time: a twentieth of a unit, at least 5 ms,
    at most a quarter of a unit (race.rs's `think_time`)."""
    return min(max(unit / 20, 0.005), unit / 4)


def read_modify_write(database, unit, rendezvous=None):
    """Read, think, write back `value**2 + 1`, with no await in between;
    with a `rendezvous`, wait after reading until every updater has read."""
    logging.info("Reading Value From Db")
    local_copy = database.value
    if rendezvous is not None:
        rendezvous.wait()
    record.blocking_sleep(think_time(unit))
    local_copy = local_copy ** 2 + 1
    logging.info("Updating Value")
    database.value = local_copy
    logging.info("Update Finished")


def update(database, unit, locked, rendezvous):
    """One thread's update: sleep 2, then read-modify-write, under the
    database's lock if `locked`."""
    logging.info("Update Started")
    logging.info("Sleeping")
    record.blocking_sleep(2 * unit)
    if locked:
        with database.lock:
            read_modify_write(database, unit)
    else:
        read_modify_write(database, unit, rendezvous)


def run_on_threads(backend, unit, locked):
    """Two updates on a pool of at most 5 workers, as the article runs them."""
    database = FakeDatabase()
    # Generous: it only guards against a partner that died before reading.
    rendezvous = threading.Barrier(2, timeout=10 + 10 * unit)
    workers = backend.workers(5)
    futures = [workers.submit(update, database, unit, locked, rendezvous) for _ in range(2)]
    for future in futures:
        future.result()
    workers.join()
    logging.info(f"Final value is {database.value}")
    return {"value": database.value}


def race(backend, unit):
    """Section 7: no lock, and an update is lost."""
    return run_on_threads(backend, unit, locked=False)


def race_locked(backend, unit):
    """Section 8: the lock from read to write keeps both updates."""
    return run_on_threads(backend, unit, locked=True)


def race_async(backend, unit):
    """Section 9: two tasks sleep 1, then read-modify-write; one loop runs
    each update to its end before the other starts."""
    database = FakeDatabase()

    async def update_async():
        logging.info("Update Started")
        logging.info("Sleeping")
        await asyncio.sleep(unit)
        read_modify_write(database, unit)

    async def main():
        await asyncio.gather(update_async(), update_async())
        logging.info(f"Final value is {database.value}")

    backend.run_loop(main)
    return {"value": database.value}


SCENARIOS = {
    "race": (THREADS, race),
    "race-locked": (THREADS, race_locked),
    "race-async": (EVENT_LOOP, race_async),
}
