"""`--fail-if` conditions: a run whose numbers cross a line fails, for CI.

A condition is `NAME OP NUMBER`, e.g. `removed_frac>0.8` or `articles<100`, where NAME
is one of the run's metrics (`Report.metrics()`: the "overall" section of
`--report`) and OP one of > >= < <= == !=.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

_OPERATORS = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
_CONDITION = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|==|!=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True, slots=True)
class Gate:
    name: str
    op: str
    value: float
    text: str  #: as the user wrote it

    def fails(self, metrics: Mapping[str, float]) -> bool:
        return _OPERATORS[self.op](metrics[self.name], self.value)


def parse_gate(text: str, known: Collection[str]) -> Gate:
    """Parse one condition; ValueError says what is wrong and what is allowed."""
    match = _CONDITION.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not NAME OP NUMBER (OP one of {' '.join(_OPERATORS)}), e.g. 'removed_frac>0.8'")
    name, op, number = match.groups()
    if name not in known:
        raise ValueError(f"{text!r}: unknown metric {name!r}; known: {', '.join(sorted(known))}")
    return Gate(name, op, float(number), text.strip())
