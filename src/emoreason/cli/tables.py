"""Tables that stay readable at 80 columns and when piped (rich picks 80 columns for a pipe).

Compact borders and one space between columns leave room for the text; a column is never
narrower than its longest word, so narrow terminals wrap between words instead of cutting
names ("ra…") or splitting them mid-word.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.table import Table
from rich.text import Text


def compact_table(title: str | None = None, *, show_header: bool = True) -> Table:
    """A borderless table with a rule under the header and one space between columns."""
    return Table(
        title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, show_header=show_header,
        padding=0, pad_edge=False, show_edge=False,
    )


def longest_word(cells: Sequence[str]) -> int:
    """Length of the longest whitespace-separated word in `cells` (a column's least readable width)."""
    return max((len(word) for cell in cells for word in str(cell).split()), default=0)


def _longest_line(cells: Sequence[str]) -> int:
    return max((len(line) for cell in cells for line in str(cell).splitlines() or [""]), default=0)


def fit_widths(natural: Sequence[int], minimum: Sequence[int], wrap: Sequence[bool], width: int) -> list[int] | None:
    """Column widths that fit `width` (one space between columns), or None when the natural widths fit.

    Columns that do not wrap keep their natural width; wrapping ones start at their longest word
    and share what is left in proportion to how much more they would like. When even that does
    not fit, None: rich then squeezes the table its own way.
    """
    available = width - (len(natural) - 1)
    if sum(natural) <= available:
        return None
    fixed = [n if not w else m for n, m, w in zip(natural, minimum, wrap, strict=True)]
    spare = available - sum(fixed)
    if spare < 0:
        return None
    wants = [n - f if w else 0 for n, f, w in zip(natural, fixed, wrap, strict=True)]
    total = sum(wants) or 1
    widths = [f + spare * want // total for f, want in zip(fixed, wants, strict=True)]
    leftover = available - sum(widths)
    for i in sorted(range(len(widths)), key=lambda i: -wants[i])[:leftover]:
        widths[i] += 1
    return widths


#: Narrowest a column of file paths (which may be folded anywhere) is made.
PATH_MIN_WIDTH = 24


def add_columns(table: Table, headers: Sequence[str], rows: Sequence[Sequence[str | Text]], *, width: int,
                no_wrap: Sequence[str] = (), right: Sequence[str] = (), paths: Sequence[str] = ()) -> None:
    """Add `headers` as columns sized to fit `width` without cutting a word, then `rows`.

    Columns named in `no_wrap` keep each cell on one line; the others wrap between words;
    columns of file paths (`paths`) may also be folded inside a long name.
    Plain strings are shown as they are (a '[LAUGHTER]' in a subtitle is not rich markup).
    """
    columns = [[str(row[i]) for row in rows] + [header] for i, header in enumerate(headers)]
    natural = [_longest_line(cells) for cells in columns]
    minimum = [min(longest_word(cells), PATH_MIN_WIDTH) if header in paths else longest_word(cells)
               for header, cells in zip(headers, columns, strict=True)]
    wrap = [header not in no_wrap for header in headers]
    widths = fit_widths(natural, minimum, wrap, width)
    for i, header in enumerate(headers):
        table.add_column(
            header, no_wrap=not wrap[i], justify="right" if header in right else "left", overflow="fold",
            width=widths[i] if widths is not None and wrap[i] else None,
        )
    for row in rows:
        table.add_row(*(cell if isinstance(cell, Text) else Text(str(cell)) for cell in row))
