"""The article's programs in Python, one per scenario, on five backends.

By hand, from this directory or any other:

    python3 python/article/main.py gather                 # on py-asyncio, unit 1 s
    python3 python/article/main.py race --backend py-pool --unit 0.1
    python3 python/article/main.py sort --backend py-processes --lists 40

prints the article's log. concur runs the same programs as its `py-*`
backends (src/backend/python.rs), with `--harness`: times since the start
instead of the time of day, and machine lines for the trace and the result
(see record.py). `--list` prints the backends' models and the scenarios'
as JSON, which concur's tests compare with its own.

Standard library only, Python 3.9 or newer.
"""

import argparse
import json
import sys

import async_waiting
import backends
import deadlock
import races
import record
import sorting
import waiting

SCENARIOS = {**waiting.SCENARIOS, **async_waiting.SCENARIOS, **races.SCENARIOS,
             **deadlock.SCENARIOS, **sorting.SCENARIOS}


def arguments():
    """The command line, parsed."""
    parser = argparse.ArgumentParser(description="The article's programs, on Python backends.")
    parser.add_argument("scenario", nargs="?", help="one of: " + ", ".join(SCENARIOS))
    parser.add_argument("--backend", help="default: the first that offers the scenario's model")
    parser.add_argument("--unit", type=float, default=1.0, help="the article's second, in seconds")
    parser.add_argument("--lists", type=int, default=40, help="the sort's lists")
    parser.add_argument("--len", type=int, default=30000, help="each list's length")
    parser.add_argument("--seed", type=int, default=1, help="the lists' seed")
    parser.add_argument("--harness", action="store_true", help="concur is reading")
    parser.add_argument("--list", action="store_true", help="print the models, as JSON")
    return parser, parser.parse_args()


def models():
    """Every backend's models and every scenario's, for concur's test."""
    return {"backends": {backend.name: backend.models for backend in backends.ALL},
            "scenarios": {name: model for name, (model, _) in SCENARIOS.items()}}


def choose(parser, args):
    """The scenario's model and function, and the backend to run it on."""
    if args.scenario not in SCENARIOS:
        parser.error(f"unknown scenario {args.scenario!r}; accepted: {', '.join(SCENARIOS)}")
    model, function = SCENARIOS[args.scenario]
    offering = [backend for backend in backends.ALL if model in backend.models]
    backend = backends.find(args.backend) if args.backend else offering[0]
    if backend not in offering:
        names = ", ".join(backend.name for backend in offering)
        parser.error(f"{args.scenario} needs the {model} model; it runs on: {names}")
    if args.unit <= 0 or args.lists < 1 or args.len < 1:
        parser.error("--unit, --lists and --len must be positive")
    return model, function, backend


def main():
    """Runs one scenario on one backend and reports its outcome."""
    parser, args = arguments()
    if args.list:
        print(json.dumps(models()))
        return
    model, function, backend = choose(parser, args)
    record.start(args.harness)
    if model == backends.CPU:
        found = function(backend, args.lists, args.len, args.seed)
    else:
        found = function(backend, args.unit)
    record.outcome(**(found or {}))


if __name__ == "__main__":
    sys.exit(main())
