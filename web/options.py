"""`option_tags(options, selected, show_value)`: the <option> elements of a people picker in one call.

A task page carries up to four lists of the same 50 people (transfer, add signers, delegate, mention);
rendered by a Jinja loop each option cost an escape per value and label plus the loop's bookkeeping,
about a third of the page's render. This writes the same elements from Python: each person's element
is built once (and kept, LRU) and `selected` is set on the chosen ones.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from html import escape
from typing import Any

from markupsafe import Markup


@lru_cache(maxsize=8192)
def _tag(value: str, label: str, show_value: bool, selected: bool) -> str:
    v = escape(value, quote=True)
    text = escape(label, quote=True) + (" · " + v if show_value else "")
    return f'<option value="{v}"{" selected" if selected else ""}>{text}</option>'


def option_tags(options: Iterable[dict[str, Any]], selected: Any = None, show_value: bool = True) -> Markup:
    """<option value="v" [selected]>label · v</option> for each {value, label}; `selected` one value or a
    list of them; `show_value=False` leaves the " · value" off the label."""
    chosen = set(selected) if isinstance(selected, (list, tuple, set)) else {selected} if selected else set()
    return Markup("".join(_tag(str(o["value"]), str(o["label"]), show_value, o["value"] in chosen)
                          for o in options))
