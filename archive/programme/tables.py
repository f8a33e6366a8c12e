"""The programme's catalog tables (migration 0007): ``events``, ``event_days``, ``event_rooms``
and ``programme_slots``, on the catalog's own ``Base`` (so backups and the migration check see
them), and a slot's status.

Planned starts are timezone-aware: stored as UTC (``timestamptz`` on PostgreSQL, UTC text on
SQLite) and shown in the event's time zone."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from ..catalog import Base
from ..clock import now as _now


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime in, an aware UTC datetime out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # a restored backup row
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError("a programme time needs its time zone")
        utc: dt.datetime = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class SlotStatus(StrEnum):
    CUT = "cut"  # a talk was cut from the room's day recording, or ingested for the slot
    NEEDS_REVIEW = "needs_review"  # a proposed cut waits for staff
    MISSING = "missing"  # no talk yet
    NOT_RECORDED = "not_recorded"  # the speakers opted out: never transcribed or published


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(500))
    start: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, the first day
    end: Mapped[str] = mapped_column(String(10))
    place: Mapped[str | None] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))  # the format of the last import
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class EventDay(Base):
    __tablename__ = "event_days"
    __table_args__ = (UniqueConstraint("event_id", "date", name="uq_event_days_event_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    date: Mapped[str] = mapped_column(String(10))
    start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class EventRoom(Base):
    __tablename__ = "event_rooms"
    __table_args__ = (UniqueConstraint("event_id", "name", name="uq_event_rooms_event_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)


class ProgrammeSlot(Base):
    __tablename__ = "programme_slots"
    __table_args__ = (UniqueConstraint("event_id", "guid", name="uq_programme_slots_event_guid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str] = mapped_column(String(36))
    day: Mapped[str] = mapped_column(String(10))
    room: Mapped[str] = mapped_column(String(200))
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    duration: Mapped[int] = mapped_column(Integer)  # seconds
    title: Mapped[str] = mapped_column(String(500))
    persons: Mapped[list[str]] = mapped_column(JSON, default=list)
    abstract: Mapped[str | None] = mapped_column(Text)
    track: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(32))
    licence: Mapped[str | None] = mapped_column(String(200))
    do_not_record: Mapped[bool] = mapped_column(Boolean, default=False)
    # field staff changed -> what the programme said for it (archive.programme docstring)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    talk_id: Mapped[str | None] = mapped_column(ForeignKey("talks.id", ondelete="SET NULL"),
                                                index=True)
    # its talk's cut was not placed with confidence: unpublished until staff review it
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    @property
    def status(self) -> SlotStatus:
        """``not_recorded`` for an opted-out slot (whatever else is known), ``missing`` for a
        slot without a talk, ``needs_review`` while its proposed cut waits for staff, else
        ``cut``."""
        if self.do_not_record:
            return SlotStatus.NOT_RECORDED
        if self.talk_id is None:
            return SlotStatus.MISSING
        return SlotStatus.NEEDS_REVIEW if self.needs_review else SlotStatus.CUT


class DayRecording(Base):
    """A room's recording of a conference day, kept once (content-addressed); its talks are cut
    out of it and link back to it by ``talks.cut["recording"]``."""

    __tablename__ = "day_recordings"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"),
                                                 index=True)
    room: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    duration: Mapped[float] = mapped_column(Float)
    original_name: Mapped[str] = mapped_column(String(500))
    original_path: Mapped[str] = mapped_column(String(1000))
    has_video: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
