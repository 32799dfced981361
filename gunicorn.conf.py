"""gunicorn settings: `gunicorn -c gunicorn.conf.py "board:create_app()"`.

Override with GUNICORN_CMD_ARGS or flags. Access logs stay off: children's requests must
leave no address or user agent anywhere (CHILD-SAFETY rule 2). If you turn them on, keep
this format, which has neither.
"""

import multiprocessing
import os

bind = os.environ.get("BOARD_BIND", "127.0.0.1:8000")
# Rate limits and the memory of ended sessions (board/ended.py) live in the limiter's
# storage. In memory (the default) that is one process's: run one worker with threads, or
# every worker would keep its own, and a copied cookie could outlive "I am finished" or
# "Sign out" on another.
# With BOARD_RATELIMIT_STORAGE_URI=redis://... all workers share it, and can be many.
_shared = not os.environ.get("BOARD_RATELIMIT_STORAGE_URI", "memory://").startswith("memory:")
_default_workers = multiprocessing.cpu_count() * 2 + 1 if _shared else 1
workers = int(os.environ.get("BOARD_WORKERS", _default_workers))
threads = int(os.environ.get("BOARD_THREADS", 2 if _shared else 8))
timeout = 30
# A child reads a page for a while before the next tap. gunicorn closes an idle connection
# after 2 s by default, and on a tablet's 400 ms link each new connection costs a round trip
# more (two or three with TLS). Idle connections wait in the worker's poller (gthread), not
# in a thread: keeping them a minute costs a socket each (worker_connections caps them).
keepalive = 75
graceful_timeout = 20
accesslog = None
# No time in it either: %(t)s would give the second of each child's answer (board.logs).
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = os.environ.get("BOARD_FORWARDED_ALLOW_IPS", "127.0.0.1")
