"""Admin pages of the directory: users, org units, roles."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.access import role_required
from ..auth.identity import current_agent
from ..database import page_from, paginate
from .forms import ROLE_LABELS, OrgUnitSearchForm, RoleForm, UserSearchForm
from .ldap import role_groups
from .models import ROLES
from .loaders import get_user_for_admin
from .operations import grant_role, revoke_role
from .queries import direct_reports, org_units_with_counts, search_users

bp = Blueprint("directory", __name__, url_prefix="/admin")


@bp.route("/users")
@role_required("admin")
def users():
    """Search the directory."""
    form = UserSearchForm(request.args)
    query = search_users(**form.valid_filters())
    page = paginate(query, page_from(request.args))
    return render_template("allies/directory/users.html", form=form, page=page)


@bp.route("/users/<int:user_id>")
@role_required("admin")
def user_detail(user_id):
    """One agent's directory record, reports and roles."""
    user = get_user_for_admin(user_id)
    return render_template("allies/directory/user.html", user=user, reports=direct_reports(user),
                           grantable=[role for role in ROLES if not user.has_role(role)],
                           role_groups=role_groups(current_app.config))


@bp.route("/users/<int:user_id>/roles/grant", methods=["POST"])
@role_required("admin")
def grant(user_id):
    """Grant a role (lab, admin)."""
    user = get_user_for_admin(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a role from the list."), "error")
    elif grant_role(user, form.role.data, current_agent()):
        flash(_("%(name)s now has the role %(role)s.", name=user.full_name, role=ROLE_LABELS[form.role.data]),
              "success")
    else:
        flash(_("%(name)s already has the role %(role)s.", name=user.full_name, role=ROLE_LABELS[form.role.data]),
              "info")
    return redirect(url_for("allies.directory.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/roles/revoke", methods=["POST"])
@role_required("admin")
def revoke(user_id):
    """Revoke a role (lab, admin)."""
    user = get_user_for_admin(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a role from the list."), "error")
    else:
        try:
            if revoke_role(user, form.role.data, current_agent()):
                flash(_("%(name)s no longer has the role %(role)s.", name=user.full_name,
                        role=ROLE_LABELS[form.role.data]), "success")
        except ValueError as error:
            flash(str(error), "error")
    return redirect(url_for("allies.directory.user_detail", user_id=user.id))


@bp.route("/org-units")
@role_required("admin")
def org_units():
    """The org-unit tree with the number of agents in each unit."""
    form = OrgUnitSearchForm(request.args)
    return render_template("allies/directory/org_units.html", form=form,
                           units=org_units_with_counts(form.valid_filters()["q"]))
