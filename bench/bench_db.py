"""The benchmarks' own database: dropped and rebuilt before each run (never point it at one you need)."""

from __future__ import annotations

from sqlalchemy import create_engine, text


def fresh_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
