"""A long list worked on in two processes: the second part by a forked worker, the first here, at the same time
(the platform's servers have two cores or more; a scope's spreadsheet has 100,000 rows to check).

The worker only computes, from what this process already holds (fork copies it): it never touches the database.
Django's connections are inherited by a fork, and a child that used or closed one would break this process's
session (on PostgreSQL, closing sends the server a goodbye on the shared socket). So the worker refuses any query
(an execute wrapper) and leaves through os._exit (multiprocessing's fork start method), which closes nothing.
"""

import logging
import multiprocessing

from django.db import connections

log = logging.getLogger(__name__)

MIN_ITEMS = 20_000  # below this, a worker costs more than it saves


def in_two_halves(function, items, *, min_items=None):
    """function(items[:half]) + function(items[half:]), the second half computed in a forked worker process when
    there are at least `min_items` (MIN_ITEMS) items and the system can fork. `function` returns a list of
    picklable values and must not use the database. If the worker fails, this process does its half itself."""
    least = MIN_ITEMS if min_items is None else min_items
    if len(items) < max(least, 2) or "fork" not in multiprocessing.get_all_start_methods():
        return function(items)
    half = len(items) // 2
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_work, args=(function, items[half:], sender), daemon=True)
    worker.start()
    sender.close()  # the worker holds the only writing end: its end (or death) is seen as EOF
    try:
        first = function(items[:half])
        try:
            outcome, second = receiver.recv()
        except (EOFError, OSError) as error:
            outcome, second = "failed", repr(error)
    finally:
        receiver.close()
        worker.join()
    if outcome != "done":
        log.warning("the worker process failed (%s); its half is done in this process", second)
        second = function(items[half:])
    return first + second


def _refuse_queries(execute, sql, params, many, context):
    raise RuntimeError("a worker process does not use the database")


def _work(function, items, sender):
    for connection in connections.all(initialized_only=True):
        connection.execute_wrappers.append(_refuse_queries)
    try:
        result = ("done", function(items))
    except BaseException as error:  # reported to the parent, which does the work itself
        result = ("failed", f"{type(error).__name__}: {error}")
    sender.send(result)
    sender.close()
