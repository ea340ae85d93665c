"""The production stack in docker-compose.yml: nginx in front, one shared storage volume, gunicorn's config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return services


def test_web_worker_and_beat_share_the_storage_volume() -> None:
    services = _services()
    for name in ("web", "worker", "beat"):
        assert "storage:/var/lib/wijkbudget" in services[name]["volumes"], name
        assert services[name]["environment"]["STORAGE_DIR"] == "/var/lib/wijkbudget", name


def test_nginx_is_the_only_way_in_and_buffers_requests() -> None:
    services = _services()
    assert "ports" not in services["web"]  # only nginx publishes a port
    nginx = services["nginx"]
    assert nginx["ports"] == ["${HTTP_PORT:-80}:80"]
    assert nginx["depends_on"]["web"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    (mount,) = nginx["volumes"]
    config = (ROOT / mount.split(":")[0]).read_text()
    for directive in ("proxy_request_buffering on;", "client_body_timeout", "client_max_body_size 20m;"):
        assert directive in config
    assert "access_log off;" in config


def test_gunicorn_runs_from_its_config_file() -> None:
    assert "gunicorn -c gunicorn.conf.py app.wsgi:app" in _services()["web"]["command"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"gunicorn", "-c", "gunicorn.conf.py"' in dockerfile and "gunicorn.conf.py ./" in dockerfile
