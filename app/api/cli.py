"""`flask tokens …`: personal API tokens from the command line (the token is printed once)."""

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from ..cli import fail, user_or_fail
from ..database import session
from ..refusals import Refusal
from .operations import create_token, revoke_token
from .queries import tokens_of

tokens_cli = click.Group("tokens", help="Personal API tokens.")


@tokens_cli.command("create")
@click.argument("login")
@click.option("--name", default="", help="What the token is for (default: created by the command line).")
@with_appcontext
def create_command(login, name):
    """Create a token for LOGIN and print it, once: only its fingerprint is kept."""
    user = user_or_fail(login)
    try:
        token, clear = create_token(user, name or _("Created with the command line"))
    except Refusal as refusal:
        fail(str(refusal))
    session.commit()
    click.echo(_("Token « %(name)s » for %(login)s (it is shown only this once):", name=token.name,
                 login=user.login), err=True)
    click.echo(clear)


@tokens_cli.command("list")
@click.argument("login")
@with_appcontext
def list_command(login):
    """List LOGIN's tokens: their start, name, creation, last use (never the tokens themselves)."""
    user = user_or_fail(login)
    for token in tokens_of(user, include_revoked=True):
        state = _("revoked") if token.revoked_at else _("active")
        used = token.last_used_at.date().isoformat() if token.last_used_at else _("never used")
        click.echo(f"{token.prefix}…\t{state}\t{token.created_at.date().isoformat()}\t{used}\t{token.name}")


@tokens_cli.command("revoke")
@click.argument("login")
@click.argument("prefix", required=False)
@click.option("--all", "every", is_flag=True, help="Revoke every token of LOGIN.")
@with_appcontext
def revoke_command(login, prefix, every):
    """Revoke LOGIN's token that starts with PREFIX (as `tokens list` shows it), or all of them with --all."""
    user = user_or_fail(login)
    if not prefix and not every:
        fail(_("Give the start of the token to revoke (see `flask tokens list LOGIN`), or --all."))
    chosen = [token for token in tokens_of(user) if every or token.prefix.startswith(prefix.rstrip("…"))]
    if not chosen:
        fail(_("%(login)s has no token in use starting with \"%(prefix)s\".", login=user.login, prefix=prefix or ""))
    if len(chosen) > 1 and not every:
        fail(_("Several tokens start with \"%(prefix)s\": give more of it.", prefix=prefix))
    for token in chosen:
        revoke_token(token)
    session.commit()
    click.echo(ngettext("%(num)d token revoked.", "%(num)d tokens revoked.", len(chosen)))
