"""gunicorn's settings for the demo, the load benchmark and production:
`gunicorn --config python:sirbi.gunicorn_conf --bind 127.0.0.1:8000 sirbi.wsgi`.
"""

import os

# Processes serving one request at a time each. One per core plus one (so a core is not idle while a
# worker waits on the database or the network); measured with benchmarks/load.py on 2 cores. WEB_CONCURRENCY,
# gunicorn's usual variable, or --workers choose another number.
workers = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) + 1)
# Heartbeat files in memory rather than on a disk that may stall (gunicorn's advice for containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket: its default path (~/.gunicorn/gunicorn.ctl) would be shared by every gunicorn the user
# starts (the demo and the load benchmark's), and nothing here uses gunicornc.
control_socket_disable = True
