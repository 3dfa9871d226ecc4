"""What every Alliés command shares."""

import click


def fail(message):
    """Print `message` on standard error in the user's language and stop with exit code 1."""
    click.echo(message, err=True)
    raise SystemExit(1)
