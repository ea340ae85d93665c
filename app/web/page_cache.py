"""Public pages from a cache: the home page, round pages and published results, for visitors who are not logged in.

A page is rendered once per language and kept (Flask-Caching: Redis in production, in-process in the embedded
default) until something it shows changes. What changes it is read off the database session: after a commit that
wrote a round, or anything that belongs to a round (its projects, result, amendments, commitments...), that round's
pages and the overview pages are dropped; a change to a wijk or another shared table drops every page. Writes that
public pages never show (ballots, the poll book, codes, registers, mail, jobs, the audit log, accounts) drop
nothing, so casting ballots never empties the cache. A short time-to-live bounds what time alone changes
("voting closes in 3 days").

Each cached response carries an ETag and Cache-Control, so a browser or proxy revalidates with one cheap request.
A page that holds a form's CSRF token is never stored: that token belongs to one visitor's session.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, has_app_context, make_response, request, session
from sqlalchemy import event, select
from sqlalchemy.orm import Session, UOWTransaction

from app.extensions import cache

log = logging.getLogger(__name__)

# Tables no public page shows; writes to them never invalidate a page (casting must not empty the cache).
PRIVATE_TABLES = frozenset(
    {
        "audit_events",
        "notifications",
        "ballots",
        "ballot_choices",
        "register_entries",
        "register_imports",
        "code_batches",
        "voting_codes",
        "register_matches",
        "outgoing_emails",
        "result_subscriptions",
        "outbox_jobs",
        "paper_entries",
        "users",
    }
)
# What a cached page is: a kind (its template family) and the round it shows, if any.
ROUND_KINDS = ("round", "results", "results_json")
OVERVIEW_KINDS = ("home", "results_index")
EVERYTHING = -1  # invalidation marker: drop every cached page
CSRF_FIELD = b'name="csrf_token"'


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    mimetype: str
    etag: str


def init_page_cache(app: Flask) -> None:
    cache.init_app(app)
    if not event.contains(Session, "after_flush", _collect_touched_rounds):
        event.listen(Session, "after_flush", _collect_touched_rounds)
        event.listen(Session, "do_orm_execute", _collect_bulk_writes)
        # Nothing listens for rollbacks: a rolled-back write leaves its rounds in the set until the next commit,
        # which then drops a page too many, never one too few.
        event.listen(Session, "after_commit", _invalidate_after_commit)


def cached_page(
    kind: str, round_arg: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Serve the view's 200 response from the cache for anonymous visitors; `round_arg` names the round's id."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not _cacheable_request():
                return view(*args, **kwargs)
            round_id = kwargs.get(round_arg) if round_arg else None
            key = page_key(kind, round_id, _language())
            stored = _get(key)
            if stored is None:
                response = make_response(view(*args, **kwargs))
                if response.status_code != 200 or response.direct_passthrough:
                    return response
                body = response.get_data()
                if CSRF_FIELD in body:
                    return response
                stored = CachedPage(
                    body, response.mimetype or "text/html", hashlib.sha256(body).hexdigest()[:32]
                )
                _set(key, stored, _ttl(kind))
            return _respond(stored, _ttl(kind))

        return wrapper

    return decorate


def page_key(kind: str, round_id: int | None, language: str) -> str:
    return f"page:{kind}:{round_id or 0}:{language}"


def keys_for(round_ids: Iterable[int]) -> list[str]:
    """Every cached page a change to these rounds can alter: their own pages and the overviews."""
    languages = current_app.config["LANGUAGES"]
    keys = [page_key(kind, None, lang) for kind in OVERVIEW_KINDS for lang in languages]
    for round_id in round_ids:
        keys += [page_key(kind, round_id, lang) for kind in ROUND_KINDS for lang in languages]
    return keys


def invalidate(round_ids: Iterable[int]) -> None:
    """Drop the pages of these rounds (and the overviews); EVERYTHING among them drops every page."""
    ids = set(round_ids)
    try:
        if EVERYTHING in ids:
            cache.clear()
        elif ids:
            cache.delete_many(*keys_for(ids))
    except Exception:  # noqa: BLE001 - a cache that is down must never fail a commit; the TTL bounds staleness
        log.warning("page cache: could not invalidate %s", sorted(ids), exc_info=True)


def _cacheable_request() -> bool:
    if not current_app.config.get("PAGE_CACHE_ENABLED", True):
        return False
    if request.method not in ("GET", "HEAD") or request.args:
        return False
    # Logged-in visitors see their own ballot and forms; flashed messages belong to one visitor.
    return "_user_id" not in session and "_flashes" not in session


def _language() -> str:
    from app.web.i18n import select_locale

    return select_locale()


def _ttl(kind: str) -> int:
    config = current_app.config
    if kind in ("results", "results_json"):
        return int(config.get("PAGE_CACHE_RESULTS_SECONDS", 3600))
    return int(config.get("PAGE_CACHE_SECONDS", 60))


def _respond(stored: CachedPage, ttl: int) -> Response:
    response = Response(stored.body, mimetype=stored.mimetype)
    response.set_etag(stored.etag)
    # Proxies may keep it as long as we do; the cookie says which language (and whether someone is logged in).
    response.headers["Cache-Control"] = f"public, max-age={min(ttl, 300)}"
    response.vary.add("Cookie")
    response.make_conditional(request)
    return response


def _get(key: str) -> CachedPage | None:
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that is down means rendering the page, not an error page
        log.warning("page cache: read failed", exc_info=True)
        return None
    return value if isinstance(value, CachedPage) else None


def _set(key: str, page: CachedPage, ttl: int) -> None:
    try:
        cache.set(key, page, timeout=ttl)
    except Exception:  # noqa: BLE001
        log.warning("page cache: write failed", exc_info=True)


# --- invalidation, read off the session ---------------------------------------------------------------------------

_TOUCHED = "page_cache_rounds"


def _collect_touched_rounds(session: Session, _flush: UOWTransaction) -> None:
    touched: set[int] = session.info.setdefault(_TOUCHED, set())
    changed = [obj for obj in session.dirty if session.is_modified(obj)]
    for obj in (*session.new, *changed, *session.deleted):
        touched |= _rounds_of(session, obj)


def _rounds_of(session: Session, obj: Any) -> set[int]:
    table = getattr(obj, "__tablename__", None)
    if table is None or table in PRIVATE_TABLES:
        return set()
    if table == "rounds":
        return {obj.id} if obj.id is not None else set()
    round_id = getattr(obj, "round_id", None)
    if round_id is not None:
        return {round_id}
    project_id = getattr(obj, "project_id", None)
    if project_id is not None:
        return {_round_of_project(session, project_id)}
    return {EVERYTHING}  # a wijk, a buurt, or a table this module does not know: drop everything, to be safe


def _round_of_project(session: Session, project_id: int) -> int:
    from app.models import Project

    round_id = session.connection().execute(select(Project.round_id).where(Project.id == project_id)).scalar()
    return int(round_id) if round_id is not None else EVERYTHING


def _collect_bulk_writes(state: Any) -> None:
    """UPDATE/DELETE/INSERT statements bypass the flush; a write to a public table drops every page."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name is None or name not in PRIVATE_TABLES:
        state.session.info.setdefault(_TOUCHED, set()).add(EVERYTHING)


def _invalidate_after_commit(session: Session) -> None:
    touched = session.info.pop(_TOUCHED, None)
    if touched and has_app_context():
        invalidate(touched)
