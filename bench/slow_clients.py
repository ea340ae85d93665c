"""Slow clients against the web server, before and after: how long a normal request waits meanwhile.

`python bench/slow_clients.py [--slow 30] [--seconds 12]` starts the app on a scratch SQLite database three ways:
gunicorn as the old Dockerfile ran it (3 sync workers), gunicorn with gunicorn.conf.py (threads), and that behind
nginx with deploy/nginx/wijkbudget.conf (needs Debian's `nginx`). For each it opens `--slow` connections that
trickle a request body one byte a second, then times GET /healthz from a normal visitor.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"nothing answers on port {port}")


def trickle(port: int, stop: threading.Event) -> None:
    """A POST whose body arrives one byte a second (a slow phone, or an attacker)."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(
            b"POST /inloggen HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        )
        sock.sendall(b"Content-Length: 100000\r\n\r\n")
        while not stop.is_set():
            sock.sendall(b"a")
            stop.wait(1.0)
        sock.close()
    except OSError:
        return


def normal_request_seconds(port: int) -> float:
    """Seconds until the answer; a request that got none within 30 s counts as 30 s."""
    started = time.monotonic()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30)  # noqa: S310
    except OSError:
        return 30.0
    return time.monotonic() - started


def attack(port: int, slow: int, seconds: float) -> tuple[float, float]:
    stop = threading.Event()
    threads = [threading.Thread(target=trickle, args=(port, stop), daemon=True) for _ in range(slow)]
    for thread in threads:
        thread.start()
    time.sleep(2)  # the slow connections are in
    timings = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        timings.append(normal_request_seconds(port))
        time.sleep(0.5)
    stop.set()
    return max(timings), sorted(timings)[len(timings) // 2]


def start_gunicorn(env: dict[str, str], port: int, with_config: bool) -> subprocess.Popen[bytes]:
    """With gunicorn.conf.py, or as the old Dockerfile ran it (in another folder: gunicorn reads a
    gunicorn.conf.py it finds in its working directory)."""
    if with_config:
        args, cwd, env = (
            ["-c", str(ROOT / "gunicorn.conf.py")],
            ROOT,
            env | {"GUNICORN_BIND": f"127.0.0.1:{port}"},
        )
    else:
        args, cwd = (
            ["--workers", "3", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}"],
            Path(env["STORAGE_DIR"]),
        )
    process = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "gunicorn", *args, "app.wsgi:app"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(port)
    return process


def start_nginx(folder: Path, port: int, upstream: int) -> subprocess.Popen[bytes]:
    site = (ROOT / "deploy" / "nginx" / "wijkbudget.conf").read_text()
    site = site.replace("server web:8000;", f"server 127.0.0.1:{upstream};").replace(
        "listen 80;", f"listen {port};"
    )
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid; error_log /dev/null; daemon off; events {{}}\n"
        f"http {{ client_body_temp_path {folder}; proxy_temp_path {folder}; {site} }}\n"
    )
    process = subprocess.Popen(  # noqa: S603 - Debian's nginx with our config
        [shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(folder / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(port)
    return process


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slow", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=12)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wijkbudget-slow-"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "STORAGE_DIR": str(folder),
        "SECRET_KEY": "bench",
        "RATELIMIT_ENABLED": "0",
    }
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "app.wsgi:app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    print(f"{options.slow} slow connections, GET /healthz every 0.5 s for {options.seconds:g} s")
    for name, with_config, with_nginx in (
        ("before: gunicorn, 3 sync workers", False, False),
        ("gunicorn.conf.py (gthread)", True, False),
        ("after: nginx + gunicorn.conf.py", True, True),
    ):
        upstream = free_port()
        processes = [start_gunicorn(env, upstream, with_config)]
        port = upstream
        if with_nginx:
            port = free_port()
            processes.append(start_nginx(folder, port, upstream))
        try:
            worst, median = attack(port, options.slow, options.seconds)
            print(f"  {name:40s} worst {worst:6.2f} s   median {median:6.3f} s")
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(30)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
