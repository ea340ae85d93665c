"""gunicorn settings for production (the Dockerfile and docker-compose.yml start `gunicorn -c gunicorn.conf.py`).

- No access log: gunicorn's would print every path and query string as sent (letter codes arrive as `?code=`
  from the letters' QR codes) and the visitor's address. The app logs one redacted JSON line per request
  instead (app/web/request_log.py), and gunicorn's own lines go through the same formatter.
- Slow clients: nginx (docker-compose) buffers each request whole before it reaches gunicorn, so a worker
  thread never waits on a slow upload. Threads (gthread) keep a few slow requests from holding a whole
  process, and `timeout` restarts a worker stuck longer than that.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5  # seconds an idle keep-alive connection (from nginx) stays open
# Refuse oversized request lines and headers early (the body's cap is MAX_CONTENT_LENGTH in the app).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Only nginx reaches gunicorn in docker-compose (the web port is not published), so its X-Forwarded-Proto is
# believed: the app then knows the visitor came over HTTPS. Behind anything else, set FORWARDED_ALLOW_IPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "app.logs.JsonFormatter"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    },
    "root": {"level": loglevel.upper(), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    },
}
