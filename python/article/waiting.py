"""Sections 1 to 3: two delayed messages, one after the other, then on
threads, then on a pool of two workers (src/scenario/delay.rs, threads.rs,
pool.rs). The article's code, with its seconds counted in units."""

import concurrent.futures
import logging

import record
from backends import SEQUENTIAL, THREADS


def delay_message(delay, message, unit):
    """The article's `delay_message`; it returns the message, which the
    pool's `as_completed` loop logs."""
    logging.info(f"{message} received")
    record.blocking_sleep(delay * unit)
    logging.info(f"Printing {message}")
    return message


def delay(backend, unit):
    """Section 1: TWO, then THREE, on the main thread."""
    del backend  # Plain code: nothing to ask of it.
    logging.info("Main started")
    delay_message(2, "TWO", unit)
    delay_message(3, "THREE", unit)
    logging.info("Main Ended")


def threads(backend, unit):
    """Section 2: each message on a thread of its own."""
    workers = backend.workers(2)
    logging.info("Main started")
    futures = [workers.submit(delay_message, 2, "TWO", unit),
               workers.submit(delay_message, 3, "THREE", unit)]
    for future in futures:
        future.result()
    workers.join()
    logging.info("Main Ended")


def pool(backend, unit):
    """Section 3: both submitted, each result logged as it completes."""
    workers = backend.workers(2)
    futures = [workers.submit(delay_message, 2, "TWO", unit),
               workers.submit(delay_message, 3, "THREE", unit)]
    for future in concurrent.futures.as_completed(futures):
        logging.info(f"{future.result()} Done")
    workers.join()


SCENARIOS = {
    "delay": (SEQUENTIAL, delay),
    "threads": (THREADS, threads),
    "pool": (THREADS, pool),
}
