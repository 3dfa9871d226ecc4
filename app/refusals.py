"""The one way an operation says no, and how a page shows it (the API answers it as a problem: api/problems.py)."""

from contextlib import contextmanager

from flask import flash


class Refusal(Exception):
    """A change the domain's rules refuse: `message` tells the person why, `field` names the input at fault, if
    one (pages show it next to that field, the API lists it under that name)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)


@contextmanager
def refusals_shown(form=None):
    """Run the block; a Refusal raised in it is shown next to the form's field it names, else as an error notice,
    and the view goes on after the block (to show its page again, or to go back where it came from)."""
    try:
        yield
    except Refusal as refusal:
        field = getattr(form, refusal.field, None) if form is not None and refusal.field else None
        if field is not None:
            field.errors.append(str(refusal))
        else:
            flash(str(refusal), "error")
