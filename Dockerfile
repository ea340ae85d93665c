# One image for web, worker and beat (docker-compose.yml picks the command).
# Installed in place (-e) because templates/ and migrations/ live beside the app package.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 STORAGE_DIR=/var/lib/wijkbudget
WORKDIR /srv/wijkbudget

# The pinned runtime set first (its own layer: rebuilt only when the lock changes), then the app itself.
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY app ./app
COPY tasks ./tasks
COPY templates ./templates
COPY migrations ./migrations
COPY scripts ./scripts
COPY babel.cfg gunicorn.conf.py ./
RUN pip install --no-deps -e . && python scripts/build_translations.py \
    && useradd --system --home /srv/wijkbudget wijkbudget \
    && mkdir -p "$STORAGE_DIR" && chown wijkbudget "$STORAGE_DIR"
USER wijkbudget

EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app.wsgi:app"]
