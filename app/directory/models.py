"""The directory: agents, their org units, managers and roles."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, exists, false,
                        or_)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..database import Model, UtcDateTime
from ..text import folded

ROLES = ("lab", "admin")


class OrgUnit(Model):
    """A node of the organisation tree (directorate → service → …), identified by its full path."""

    __tablename__ = "allies_org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(1000), unique=True)
    # The path folded (case and accents), for matching and searching.
    path_key: Mapped[str] = mapped_column(String(1000), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("allies_org_units.id"), index=True)

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["OrgUnit"]] = relationship(back_populates="parent", order_by="OrgUnit.name")

    @validates("path")
    def _fold_path(self, key, path):
        self.path_key = folded(path)
        return path

    @hybrid_method
    def is_within(self, path_key):
        """Whether this unit is the one at `path_key` or one of its sub-units (on an object, or in a query)."""
        return self.path_key == path_key or self.path_key.startswith(path_key + "/")

    @is_within.expression
    def is_within(cls, path_key):
        return or_(cls.path_key == path_key, cls.path_key.startswith(path_key + "/", autoescape=True))

    @property
    def display_path(self):
        """The path as people read it: DGS › Direction › Service."""
        return self.path.replace("/", " › ")

    @property
    def depth(self):
        """How many ancestors this unit has (0 for a root)."""
        return self.path.count("/")


class RoleGrant(Model):
    """A role (lab, admin) held by a user; every agent is an agent without a grant."""

    __tablename__ = "allies_role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "role", name="uq_allies_role_grants_user_role"),
        CheckConstraint("role IN ('lab', 'admin')", name="known_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class User(UserMixin, Model):
    """An agent of the directory; leavers are deactivated, never deleted."""

    __tablename__ = "allies_users"
    __table_args__ = (CheckConstraint("quotity BETWEEN 50 AND 100", name="quotity_range"),
                      # A manager's active reports, read from the index alone: whether someone has reports is asked
                      # on every signed-in request, and most people have none.
                      Index("ix_allies_users_manager_id_active", "manager_id", "active"))

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    # Folded "family given", for ordering; folded names, login and e-mail, for searching.
    sort_name: Mapped[str] = mapped_column(String(201), index=True, default="")
    search_text: Mapped[str] = mapped_column(String(1000), default="")
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("allies_org_units.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("allies_users.id"))
    quotity: Mapped[int] = mapped_column(Integer, default=100)
    # The civil-service category, "A", "B", "C" or "contractuel"; None: unknown. The filière, as HR names it.
    category: Mapped[str | None] = mapped_column(String(12))
    filiere: Mapped[str | None] = mapped_column(String(60))
    # Whether the agent agreed that their badges show on their profile.
    shows_badges: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The language chosen with the switch (fr, en); mails to this person use it. None: the default.
    locale: Mapped[str | None] = mapped_column(String(5))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Bumped on sign-out and deactivation: every session carrying the old value ends.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit | None] = relationship()
    manager: Mapped["User | None"] = relationship(remote_side=[id])
    role_grants: Mapped[list[RoleGrant]] = relationship(cascade="all, delete-orphan", order_by=RoleGrant.role)

    @validates("given_name", "family_name", "login", "email")
    def _refresh_name_keys(self, key, value):
        fields = {name: getattr(self, name) or "" for name in ("given_name", "family_name", "login", "email")}
        fields[key] = value or ""
        self.sort_name = folded(f"{fields['family_name']} {fields['given_name']}")
        self.search_text = folded(" | ".join((f"{fields['given_name']} {fields['family_name']}",
                                              f"{fields['family_name']} {fields['given_name']}",
                                              fields["login"], fields["email"])))
        return value

    @property
    def full_name(self):
        """Given name then family name, as shown everywhere."""
        return f"{self.given_name} {self.family_name}"

    @property
    def roles(self):
        """The granted roles, sorted."""
        return sorted(grant.role for grant in self.role_grants)

    def has_role(self, role):
        """Whether the user holds a granted role (lab, admin)."""
        return role in self.roles

    @property
    def is_active(self):
        """Flask-Login: deactivated agents cannot sign in."""
        return self.active

    def get_id(self):
        """Flask-Login: the id with the session version, so old sessions stop matching."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password):
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        """Whether the password matches the stored hash."""
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def end_sessions(self):
        """Invalidate every session of this user, server-side."""
        self.session_version = (self.session_version or 1) + 1


# Whether the user manages an active agent (the navigation's « Demandes à valider »): read with the user when asked, so
# a signed-in request loads its agent, org unit, roles and this in one query (`auth.identity.load_user`).
_reports = User.__table__.alias("reports")
User.has_reports = column_property(
    exists().where(_reports.c.manager_id == User.id, _reports.c.active.is_(True)), deferred=True)
