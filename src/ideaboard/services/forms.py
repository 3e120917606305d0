"""Forms as data: what a person sent, typed, before a service checks it.

Litestar fills a form's dataclass from the posted fields (`web.POSTED`): a field left out
takes its default, a field the form does not know is ignored. Every form of the board
derives from `Form`, which tidies what was typed the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from ideaboard.services.validation import without_bidi_controls


@dataclass(frozen=True)
class Form:
    """Text loses the bidi controls in it (which could reorder what is shown around
    it), as every form the board reads by hand does (`security.BoardRequest.form`), and
    the spaces around it, except in the fields `UNSTRIPPED` names (passwords). A
    checkbox (a field in `CHECKBOXES`, typed `bool | str`) is ticked when it sent "1",
    as the board's checkboxes do."""

    UNSTRIPPED: ClassVar[frozenset[str]] = frozenset()
    CHECKBOXES: ClassVar[frozenset[str]] = frozenset()

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name in self.CHECKBOXES:
                object.__setattr__(self, field.name, value is True or value == "1")
            elif isinstance(value, str):
                value = without_bidi_controls(value)
                if field.name not in self.UNSTRIPPED:
                    value = value.strip()
                object.__setattr__(self, field.name, value)
