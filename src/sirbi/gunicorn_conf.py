"""gunicorn's settings for the demo, the load benchmark and production:
`gunicorn --config python:sirbi.gunicorn_conf --bind 127.0.0.1:8000 sirbi.wsgi`.
"""

import os

# Processes, each serving up to 8 requests at once in threads (the gthread worker): two per core plus one, as
# gunicorn advises; threads let a page kept by the page cache go out while another thread of the worker renders
# a slow one. Measured with benchmarks/load.py on 2 cores and SQLite (50 visitors, 40 s, machine shared):
# 3 sync workers p95 1.0-1.3 s; 5 sync workers p95 2.0 s; 3 x 8 threads p95 0.38-0.43 s; 5 x 8 threads p95 0.28 s.
# WEB_CONCURRENCY (gunicorn's usual variable) or --workers and --threads choose other numbers.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
threads = 8
# Heartbeat files in memory rather than on a disk that may stall (gunicorn's advice for containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket: its default path (~/.gunicorn/gunicorn.ctl) would be shared by every gunicorn the user
# starts (the demo and the load benchmark's), and nothing here uses gunicornc.
control_socket_disable = True
# Django, every view and the translation catalogs are loaded once, in the master, before it forks the workers:
# they start at once, share that memory, and their first requests are not seconds slower than the next ones
# (nothing opens a database connection or the search index while loading). A code change needs a restart.
preload_app = True


def when_ready(server):
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018  (imports every view and API module)
    for code, _name in settings.LANGUAGES:
        translation.activate(code)
    translation.deactivate()
