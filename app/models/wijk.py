from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

if TYPE_CHECKING:
    from app.models.round import Round


class Wijk(db.Model):  # type: ignore[name-defined,misc]
    """A neighbourhood with its buurten and the postcode areas (PC4) that belong to it."""

    __tablename__ = "wijken"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    municipality: Mapped[str] = mapped_column(String(120), default="")
    postcodes: Mapped[list[str]] = mapped_column(JSON, default=list)

    buurten: Mapped[list[Buurt]] = relationship(
        back_populates="wijk", order_by="Buurt.name", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[Round]] = relationship(back_populates="wijk", order_by="Round.id")


class Buurt(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "buurten"
    __table_args__ = (UniqueConstraint("wijk_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wijk_id: Mapped[int] = mapped_column(ForeignKey("wijken.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # The outline in WGS84 as a GeoJSON MultiPolygon, uploaded by organisers (e.g. from the CBS buurtkaart).
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    wijk: Mapped[Wijk] = relationship(back_populates="buurten")
