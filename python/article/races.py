"""Sections 7 to 9: two updates of a fake database without a lock, with
one, and as two tasks on one loop (src/scenario/race.rs, race_locked.rs,
race_async.rs); and addition A5, the tasks with an await between read and
write (race_async_await.rs).

In the article the lost update is luck: whether the second thread reads
before the first writes depends on when the OS and the GIL switch threads.
Here it is built in, as on the Rust side (src/scenario/race/fake_db.rs):
the compute step has a small blocking think time (a simulated round trip to
the database), and the database makes an update that has read wait, before
it writes, until as many updates as run at once have read. Two threads:
both read 0 before either writes, however loaded the machine. Under the
lock, or on one loop, one update runs at a time, so nobody waits and the
updates serialize.
"""

import asyncio
import logging
import threading

import record
from backends import EVENT_LOOP, THREADS

# How long an update waits for the others to read, at most (fake_db.rs's
# PATIENCE): far beyond any delay a busy scheduler causes.
PATIENCE = 5.0


class FakeDatabase:
    """The article's: a value, and a lock only the locked update takes; and
    how many updates run at once (`at_once`), with the reads so far."""

    def __init__(self, at_once):
        self.value = 0
        self.lock = threading.Lock()
        self._at_once = max(1, at_once)
        self._reads = 0
        self._read = threading.Condition()

    def read(self):
        """An update reads the value (and counts as having read)."""
        value = self.value
        with self._read:
            self._reads += 1
            self._read.notify_all()
        return value

    def all_read(self):
        """Whether as many updates as run at once have read: what an async
        caller asks between its awaits (A5)."""
        with self._read:
            return self._reads >= self._at_once

    def wait_for_readers(self):
        """Blocks until as many updates as run at once have read, or for
        PATIENCE at most; at once if they run one at a time."""
        with self._read:
            self._read.wait_for(lambda: self._reads >= self._at_once, timeout=PATIENCE)


def think_time(unit):
    """The compute step's think time: a twentieth of a unit, at least 5 ms,
    at most a quarter of a unit (race.rs's `think_time`)."""
    return min(max(unit / 20, 0.005), unit / 4)


def read_modify_write(database, unit):
    """Read, think, wait for the other reader, write back `value**2 + 1`,
    with no await in between."""
    logging.info("Reading Value From Db")
    local_copy = database.read()
    record.blocking_sleep(think_time(unit))
    record.blocking_call("waiting for the other read", database.wait_for_readers)
    local_copy = local_copy ** 2 + 1
    logging.info("Updating Value")
    database.value = local_copy
    logging.info("Update Finished")


def update(database, unit, locked):
    """One thread's update: sleep 2, then read-modify-write, under the
    database's lock if `locked` (which covers read to write only, so both
    still sleep together)."""
    logging.info("Update Started")
    logging.info("Sleeping")
    record.blocking_sleep(2 * unit)
    if locked:
        with database.lock:
            read_modify_write(database, unit)
    else:
        read_modify_write(database, unit)


def run_on_threads(backend, unit, locked):
    """Two updates on a pool of at most 5 workers, as the article runs them."""
    # Two threads run the updates at once; under the lock, one at a time.
    database = FakeDatabase(1 if locked else 2)
    workers = backend.workers(5)
    futures = [workers.submit(update, database, unit, locked) for _ in range(2)]
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
    database = FakeDatabase(1)

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


def race_async_await(backend, unit):
    """Addition A5: section 9 with `await asyncio.sleep(0)` (an async
    database call) between the read and the write; the other task reads the
    same value meanwhile, and an update is lost on one loop too. As in
    race_async_await.rs, two updates are in flight at once, so the call does
    not return before the other has read (a millisecond's sleep at a time):
    the lost update does not depend on two timers firing in one batch."""
    database = FakeDatabase(2)

    async def database_call():
        await asyncio.sleep(0)
        waited = 0.0
        while not database.all_read() and waited < PATIENCE:
            await asyncio.sleep(0.001)
            waited += 0.001

    async def update_async():
        logging.info("Update Started")
        logging.info("Sleeping")
        await asyncio.sleep(unit)
        logging.info("Reading Value From Db")
        local_copy = database.read()
        await database_call()
        record.blocking_sleep(think_time(unit))
        local_copy = local_copy ** 2 + 1
        logging.info("Updating Value")
        database.value = local_copy
        logging.info("Update Finished")

    async def main():
        await asyncio.gather(update_async(), update_async())
        logging.info(f"Final value is {database.value}")

    backend.run_loop(main)
    return {"value": database.value}


SCENARIOS = {
    "race": (THREADS, race),
    "race-locked": (THREADS, race_locked),
    "race-async": (EVENT_LOOP, race_async),
    "race-async-await": (EVENT_LOOP, race_async_await),
}
