"""gunicorn's settings for production: `gunicorn -c python:trdintake.gunicorn trdintake.wsgi`.

The access log records the path without its query string (`%(U)s`), so what staff type into
the admin's search box (names, e-mail addresses) never reaches a log file.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
