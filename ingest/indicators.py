"""A plan's main indicators (主要指标) and an annual plan's quantified targets, as IndicatorRecords.

Tables are found by ingest.indicator_tables; here a row becomes a record: its columns by role (base, target, 年均增长,
属性, units), its values kept as written and parsed where they can be (ingest.indicator_values), and units taken
from notes in the row or under the table.

Normalization drops lines that look like page numbers or repeated page headers: a lone "99", "-" or "预期性" is
exactly that, so a one-cell-per-line table is read from the loaded text (`source`) when the caller has it, and each
record's span is then found again in the normalized text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.assignments import label_assignments, units_in_list
from ingest.indicator_tables import BARE_NUMBER, VALUE_CELL, YEAR, Row, Table, find_tables
from ingest.indicator_values import DASH, attribute_of, parse_target, split_name, written
from ingest.normalize import INLINE_NOISE, to_simplified
from ingest.records import IndicatorRecord
from ingest.stated_targets import annual_targets, noted_indicators
from ingest.structure import Outline
from ingest.units import AliasTable

# a target written as a rate of change: its 2025 cell is empty and the 年均增长 cell is the target (增速 5.5)
RATE_NAME = re.compile(r"增速|增长|增幅|增加")


def extract_indicators(
    text: str, outline: Outline, *, aliases: AliasTable, source: str | None = None
) -> list[IndicatorRecord]:
    """The rows of every indicator table, then the indicators stated in the text: items with an indicator note
    (…（预期性指标，牵头单位：…）) and, in an annual plan or breakdown, its quantified targets.

    `text` is the normalized text the spans point into; `source` the loaded text the tables are read from."""
    if source is not None and "指标" not in text:
        source = None  # no indicator table: spare a traditional-script source its second conversion
    readable = _readable(source) if source is not None else text
    records: list[IndicatorRecord] = []
    cursor = 0
    for table in find_tables(readable):
        for record in _table_records(table, outline, aliases):
            if source is not None:
                record, cursor = _relocated(record, text, cursor)
            records.append(record)
    stated = noted_indicators(text, outline)
    if outline.kind in ("annual_plan", "annual_breakdown") and outline.year:
        stated += annual_targets(text, outline)
    named = {record.name for record in records}
    spans = indicator_table_spans(text)
    for record in stated:
        # a table's row is read from the table; a noted item is not read again as an annual target
        if record.name not in named and not any(start <= record.span[0] < end for start, end in spans):
            named.add(record.name)
            records.append(record)
    return records


def indicator_table_spans(text: str) -> list[tuple[int, int]]:
    """Where indicator tables lie in `text`, header to last note: their rows are indicators, not tasks."""
    return [(table.start, table.end) for table in find_tables(text)]


def _readable(source: str) -> str:
    """The loaded text in simplified characters without [bookmark] tags and pinyin, every line kept."""
    source = source.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return "\n".join(INLINE_NOISE.sub("", line) for line in to_simplified(source).split("\n"))


def _relocated(record: IndicatorRecord, text: str, cursor: int) -> tuple[IndicatorRecord, int]:
    """The record with its span in the normalized text: the line holding its name, searched from `cursor`.

    The name is looked for with its unit bracket first, as the table writes it, so that prose mentioning the
    indicator before the table is not taken for its row."""
    written_forms = (
        [f"{record.name}（{record.unit}）", f"{record.name}({record.unit})"] if record.unit else []
    )
    found = -1
    for form in [*written_forms, record.name]:
        found = text.find(form, cursor)
        if found != -1:
            break
    if found == -1:
        return _with(record, span=(0, 0)), cursor
    start = text.rfind("\n", 0, found) + 1
    end = text.find("\n", found)
    end = len(text) if end == -1 else end
    return _with(record, span=(start, end)), end


def _with(record: IndicatorRecord, **changes: object) -> IndicatorRecord:
    return replace(record, **changes)


# ---------------------------------------------------------------------------------------------- reading rows

NOTE_IN_CELL = re.compile(r"[（(][^（()）]*(?:牵头|责任|配合|约束性|预期性)[^（()）]*[）)]")
VALUE_ROLES = ("base", "target", "growth")


def _table_records(table: Table, outline: Outline, aliases: AliasTable) -> list[IndicatorRecord]:
    roles, base_year, target_year = _roles(table, outline)
    records = [
        record
        for row in table.rows
        if (record := _row_record(row, roles, base_year, target_year, aliases)) is not None
    ]
    # each clause of a note on its own: "A牵头单位：X；其余指标牵头单位：Y" gives X to A and Y to the rest
    for note in (clause for line in table.notes for clause in re.split(r"[；;。]", line)):
        units = _note_units(note)
        if not units:
            continue
        named = [index for index, record in enumerate(records) if record.name in note]
        # a note that names no indicator gives its units to the indicators that have none of their own
        chosen = named or [index for index, record in enumerate(records) if not record.departments]
        for index in chosen:
            records[index] = _with(records[index], departments=_unique((*records[index].departments, *units)))
    return records


def _roles(table: Table, outline: Outline) -> tuple[list[str | None], int | None, int | None]:
    """What each column holds, with year columns turned into base (the earliest) and target (the latest)."""
    if outline.kind in ("annual_plan", "annual_breakdown") and outline.year:
        base_year, target_year = outline.year - 1, outline.year
    elif outline.period:
        base_year, target_year = outline.period[0] - 1, outline.period[1]
    else:
        base_year = target_year = None
    year_columns = sorted(
        (int(match.group(1)), index)
        for index, (kind, cell) in enumerate(zip(table.kinds, table.header, strict=True))
        if kind == "year" and (match := YEAR.search(cell))
    )
    roles: list[str | None] = [kind if kind != "year" else None for kind in table.kinds]
    if year_columns and "target" not in roles:
        target_year, column = year_columns.pop()
        roles[column] = "target"
    if year_columns and "base" not in roles:
        base_year, column = year_columns[0]
        roles[column] = "base"
    return roles, base_year, target_year


def _columns(row: Row, roles: list[str | None]) -> dict[str, list[str]]:
    """Cells by role. A row with as many cells as columns is read by position; a shorter one (Word rows lose
    their empty cells) by what its cells hold, the numbers filling the value columns from the left."""
    if row.without_category or (len(row.cells) == len(roles) - 1 and "category" in roles):
        roles = [role for role in roles if role != "category"]
    pairs = (
        list(zip(roles, row.cells, strict=False))
        if len(row.cells) >= len(roles)
        else _aligned_by_content(roles, row.cells)
    )
    by_role: dict[str, list[str]] = {}
    for role, cell in pairs:
        if role is not None:
            by_role.setdefault(role, []).append(cell)
    return by_role


def _aligned_by_content(roles: list[str | None], cells: list[str]) -> list[tuple[str | None, str]]:
    leading = []
    position = 0
    for role in roles:
        if role not in ("seq", "category", "name") or position >= len(cells):
            break
        if role == "seq" and not BARE_NUMBER.match(cells[position]):
            continue
        leading.append((role, cells[position]))
        position += 1
    value_roles = [role for role in roles if role in VALUE_ROLES]
    pairs = list(leading)
    for cell in cells[position:]:
        if attribute_of(cell) and len(cell) <= 6 and "attribute" in roles:
            pairs.append(("attribute", cell))
        elif VALUE_CELL.search(cell) and value_roles:
            pairs.append((value_roles.pop(0), cell))
        elif "lead" in roles or "units" in roles:
            pairs.append(("lead" if "lead" in roles else "units", cell))
        elif "unit" in roles and len(cell) <= 6:
            pairs.append(("unit", cell))
    return pairs


def _row_record(
    row: Row, roles: list[str | None], base_year: int | None, target_year: int | None, aliases: AliasTable
) -> IndicatorRecord | None:
    cells = _columns(row, roles)
    name_cell = (cells.get("name") or [""])[0]
    notes = [*row.notes, *NOTE_IN_CELL.findall(name_cell), *cells.get("note", [])]
    name, unit = split_name(NOTE_IN_CELL.sub("", name_cell))
    if len(re.findall(r"[\u4e00-\u9fff]", name)) < 2:
        return None  # a number or a dash where the name should be: no indicator (每万人拥有5G基站数 is one)
    unit = unit or written((cells.get("unit") or [None])[0])
    base_value = written((cells.get("base") or [None])[0])
    target_value = written((cells.get("target") or [None])[0])
    growth = written((cells.get("growth") or [None])[0])
    no_target = target_value is None or DASH.match(target_value)
    if no_target and growth and not DASH.match(growth) and RATE_NAME.search(name):
        target_value = growth
    number, comparison = parse_target(target_value)
    attribute = attribute_of((cells.get("attribute") or [""])[0]) or next(
        (found for note in notes if (found := attribute_of(note))), None
    )
    units = [
        unit_name
        for role in ("lead", "units")
        for cell in cells.get(role, [])
        for unit_name in _cell_units(cell, aliases)
    ]
    units += [unit_name for note in notes for unit_name in _note_units(note)]
    category = row.category or next(iter(cells.get("category", [])), None)
    return IndicatorRecord(
        name=name,
        unit=unit,
        category=category,
        base_year=base_year,
        base_value=base_value,
        target_year=target_year,
        target_value=target_value,
        target_number=number,
        comparison=comparison,
        annual_growth=growth,
        attribute=attribute,
        departments=_unique(units),
        evidence=row.text,
        span=(row.start, row.end),
    )


def _cell_units(cell: str, aliases: AliasTable) -> list[str]:
    if DASH.match(cell):
        return []
    if cell in aliases.canonical_by_alias:
        return [cell]
    return [mention.name for mention in units_in_list(cell, 0, len(cell))]


def _note_units(note: str) -> list[str]:
    # lead units first: the contract lists 牵头单位 before the others
    assignments = label_assignments(note)
    return [a.mention.name for a in assignments if a.role == "lead"] + [
        a.mention.name for a in assignments if a.role != "lead"
    ]


def _unique(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))
