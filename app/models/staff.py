"""The office's own people and policy: who may prepare, review and approve responses."""

from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Entity


class StaffMember(Entity):
    """Someone in the office who prepares, reviews or approves responses.

    People who leave are marked inactive rather than deleted, so the name stays readable
    beside every answer and approval they signed.
    """

    __tablename__ = "staff_member"
    label = "Staff member"

    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    prepares: Mapped[bool] = mapped_column(Boolean, default=False)
    reviews: Mapped[bool] = mapped_column(Boolean, default=False)
    approves: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OfficeSetting(Entity):
    """One office-wide rule, kept in the database so every PC using the file follows it."""

    __tablename__ = "office_setting"
    label = "Office setting"

    key: Mapped[str] = mapped_column(String(100), unique=True)
    value: Mapped[str] = mapped_column(String(400))
