"""Messages for people as codes and parameters (pure): rendering translates them.

Pure modules (spec validators, answer checks, the index report) cannot import Flask-Babel, so
they say *what* is wrong as a ``Message``; ``survey.render.messages`` turns the code into the
translated text, with the same msgids as before.
"""

from __future__ import annotations

from dataclasses import dataclass

Param = str | int | float


@dataclass(frozen=True)
class Message:
    code: str
    params: tuple[tuple[str, Param], ...] = ()

    @classmethod
    def of(cls, code: str, /, **params: Param) -> Message:
        """A message with named parameters, as the translated text's ``%(name)s`` expects."""
        return cls(code, tuple(params.items()))

    @property
    def kwargs(self) -> dict[str, Param]:
        return dict(self.params)

    def __str__(self) -> str:
        """The code and its parameters, for logs and developers; people read the rendered text."""
        if not self.params:
            return self.code
        return f"{self.code}({', '.join(f'{k}={v}' for k, v in self.params)})"
