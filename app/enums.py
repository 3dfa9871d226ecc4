"""The base of the codes Alliés stores as words (statuses, kinds of decision), each with its title in the UI."""

from enum import StrEnum


class TitledEnum(StrEnum):
    """A string code that people read through its translated `title`; members are written `NAME = "value", title`.

    A member equals its value (`CallStatus.DRAFT == "draft"`), so templates and JSON see the stored word. Its
    `title` stands in for `str.title()`, which a code never needs.
    """

    def __new__(cls, value, title):
        member = str.__new__(cls, value)
        member._value_ = value
        member._title = title
        return member

    @property
    def title(self):
        """The code in words, in the reader's language (a lazy string)."""
        return self._title

    @classmethod
    def known(cls, text):
        """Whether `text` is a member's value (a code read from a query string or a command line)."""
        return text in cls._value2member_map_

    @classmethod
    def titles(cls):
        """Every member's title, by member, in declaration order."""
        return {member: member.title for member in cls}
