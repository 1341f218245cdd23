"""gunicorn settings, from environment variables (see docs/deployment.md).

The variables are read and checked by ``scoring_service.config.server_from_env``, like every
other setting: a bad value stops start-up with a message naming the variable.
"""

import ctypes
import ctypes.util
import gc
import glob
import os
import sys

# One worker per core already uses every core: BLAS threads inside each worker would only compete
# with the other workers (and OpenBLAS's spin-waiting threads burn CPU between calls). Set before
# the app, and so numpy, is loaded; an explicit setting in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# gunicorn runs this file again on a HUP (a reload, in the same master): what must happen once per
# start (emptying the metrics folder, the port check) is skipped then.
_reloading = os.environ.get("SCORING_GUNICORN_MASTER") == str(os.getpid())
os.environ["SCORING_GUNICORN_MASTER"] = str(os.getpid())

# Prometheus multiprocess mode (scoring_service/metrics.py): every worker writes its samples to
# one folder, which /metrics adds up; set before the app (and prometheus_client) is loaded, and
# emptied at start, or a previous run's counts would be added in. One fixed folder per instance.
_instance = os.environ.get("SCORING_INSTANCE_DIR") or "instance"
_metrics = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.path.join(_instance, "metrics")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.abspath(_metrics)
os.makedirs(_metrics, exist_ok=True)
if not _reloading:
    for _stale in glob.glob(os.path.join(_metrics, "*.db")):
        os.remove(_stale)

from scoring_service.config import (  # noqa: E402 (after the env)
    ConfigError,
    bind_in_use,
    server_from_env,
)

try:
    _settings = server_from_env()
except ConfigError as exc:
    sys.exit(f"gunicorn.conf.py: {exc}")
# One clear line for a port in use, instead of five retries and a traceback.
_busy = None if _reloading else bind_in_use(_settings.bind)  # on a HUP: our own socket
if _busy is not None:
    sys.exit(_busy)

bind = _settings.bind
# Sync workers, one per core: measured better than gthread or gevent for this CPU-bound work.
workers = _settings.workers
worker_class = "sync"
timeout = _settings.timeout
graceful_timeout = _settings.graceful_timeout
keepalive = _settings.keepalive
# Load the app (and scipy) once in the master: less memory per worker, faster start-up,
# and a broken survey file or setting stops start-up before any worker forks.
preload_app = True
accesslog = _settings.accesslog
# Invitation tokens travel in form URLs (/forms/inv_...): the access and error logs show every
# secret redacted (gunicorn's default debug line per request, "Error handling request ..." too).
logger_class = "scoring_service.logs.RedactingLogger"
loglevel = _settings.loglevel
# gunicorn 27's control socket is one fixed path per user: two services (or a test server next
# to `make run`) would fight over it, and nothing here uses it.
control_socket_disable = True


def _tune_malloc():
    """Keep freed memory in the heap instead of mmap/munmap cycles for every bootstrap matrix.

    Each request allocates arrays of 100-200 KB (2,000 resamples); above glibc's default
    128 KB threshold each one is a fresh mmap with page faults. Measured in-process on the
    typical request: about 20% less time. Set here (mallopt) rather than as MALLOC_*
    environment variables so that every way of starting gunicorn gets it; the workers
    inherit it from the master. A no-op where the C library is not glibc.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mib = 1024 * 1024
    mallopt(-3, 16 * mib)  # M_MMAP_THRESHOLD
    mallopt(-1, 64 * mib)  # M_TRIM_THRESHOLD
    mallopt(-2, 16 * mib)  # M_TOP_PAD


_tune_malloc()


def post_worker_init(worker):  # noqa: ARG001
    """Redact the app's logs as gunicorn's are (the app is loaded by now, its handlers set);
    freeze the preloaded heap so full collections skip it (removed a 40-50 ms p99 stall)."""
    from scoring_service.logs import redact_app_logs

    redact_app_logs()
    gc.freeze()


def pre_request(worker, req):
    """gunicorn's debug line of a request, with the client's request id when it sent one (the
    app makes one for the others, later)."""
    from scoring_service.logs import REQUEST_ID

    asked = next((v for k, v in req.headers if k == "X-REQUEST-ID"), "")
    found = asked if REQUEST_ID.match(asked) else "-"
    worker.log.debug("%s %s", req.method, req.path, extra={"request_id": found})


def child_exit(server, worker):  # noqa: ARG001
    """A worker that exits no longer counts in the live gauges of /metrics."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def when_ready(server):
    """Tell the person who ran ``make run`` where to look."""
    host, _, port = bind.rpartition(":")
    server.log.info("API docs: http://%s:%s/api/v1/docs", host or "127.0.0.1", port)
