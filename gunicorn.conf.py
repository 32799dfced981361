"""gunicorn settings: `gunicorn -c gunicorn.conf.py "board:create_app()"`.

Override with GUNICORN_CMD_ARGS or flags. Access logs stay off: children's requests must
leave no address or user agent anywhere (CHILD-SAFETY rule 2). If you turn them on, keep
this format, which has neither.
"""

import multiprocessing
import os

bind = os.environ.get("BOARD_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("BOARD_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("BOARD_THREADS", 2))
timeout = 30
graceful_timeout = 20
accesslog = None
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = os.environ.get("BOARD_FORWARDED_ALLOW_IPS", "127.0.0.1")
