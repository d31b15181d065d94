"""Departments per jurisdiction: get-or-create through the alias table, resolve a name a person typed, merge.

A department is canonical per jurisdiction (莱芜区's 区发展改革局 is not 潍城区's). Its spellings live in
DepartmentAlias, scoped by jurisdiction, with the canonical name among them, so every lookup is one indexed
query. Names are compared in `name_key` form (NFKC, no spaces), so （ and ( or a stray space do not matter.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from ingest.units import AliasTable, qualified_name, strip_place
from storage.models import Assignment, ChannelBinding, Department, DepartmentAlias, Jurisdiction, Member

UNRECOGNISED_JURISDICTION = "未识别辖区"

_COLLECTIVE = re.compile(r"^各|^有关|^相关")
_GOVERNMENT = re.compile(r"(政府|镇|街道|办事处|乡|管委会|功能区)$")
_COMMITTEE = re.compile(r"(委员会|委|领导小组|指挥部)$")
_TOWN_WORDS = re.compile(r"镇|街|乡|区县|县|市区|功能区|管委会")


def name_key(name: str) -> str:
    """The form names are compared in: NFKC (full-width brackets to ASCII) without any spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def guess_kind(name: str) -> str:
    """bureau, government, collective or committee, from the shape of the name (when extraction gave none)."""
    if _COLLECTIVE.search(name):
        return "collective"
    if _GOVERNMENT.search(name):
        return "government"
    if _COMMITTEE.search(name):
        return "committee"
    return "bureau"


# "有关部门", "牵头单位", "责任单位" stand for the few units a task concerns, which the text does not name; only
# "all of a kind" addressees (各部门, 区直各部门, 各镇（街道）) oblige every department of that kind
_NOT_EVERY = re.compile(r"有关|相关|牵头|配合|责任|承办|参与|协办|主办|主责|联系|成员")
_EVERY = re.compile(r"^(?:[区县市]直)?各")


def speaks_to_every_department(collective_name: str) -> bool:
    """Whether a collective addressee obliges every department of its kind (各部门) or only unnamed ones (有关部门)."""
    return bool(_EVERY.search(collective_name)) and not _NOT_EVERY.search(collective_name)


# 各部门 speaks to the 委 of the government as much as to its 局 (区卫健委, 区发改委 are 政府组成部门)
_SPOKEN_TO = {"bureau": ("bureau", "committee"), "government": ("government",)}


# committees that are not government departments: 各部门 does not oblige the 人大, the 政协 or a 领导小组
_NOT_A_GOVERNMENT_DEPARTMENT = re.compile(r"人大|政协|党委|纪委|工委|领导小组|指挥部|委员会办公室")


def collective_kinds_obliging(department_kind: str, department_name: str) -> tuple[str, ...]:
    """The covers_kind values of the collectives (各部门, 各镇街) whose work is this department's.

    The one rule for "my tasks" (storage.queries, storage.bot_queries) and for the reminders' fan-out.
    """
    if department_kind == "committee" and _NOT_A_GOVERNMENT_DEPARTMENT.search(department_name):
        return ()
    covering = tuple(covers for covers, kinds in _SPOKEN_TO.items() if department_kind in kinds)
    return covering or (department_kind,)


def obliged_by(covers_kind: str | None, department: Department) -> bool:
    """Whether a collective that speaks to `covers_kind` obliges `department` (reminders fan out by this)."""
    return (covers_kind or "bureau") in collective_kinds_obliging(department.kind, department.name)


def covered_kind(collective_name: str) -> str:
    """The kind of department a collective addressee speaks to: 各镇（街道） -> government, 各部门 -> bureau."""
    return "government" if _TOWN_WORDS.search(collective_name) else "bureau"


def get_or_create_jurisdiction(*, session: Session, name: str | None) -> Jurisdiction:
    name = (name or "").strip() or UNRECOGNISED_JURISDICTION
    found = session.exec(select(Jurisdiction).where(Jurisdiction.name == name)).first()
    if found is not None:
        return found
    jurisdiction = Jurisdiction(name=name)
    session.add(jurisdiction)
    session.flush()
    return jurisdiction


def follow_merges(*, session: Session, department: Department) -> Department:
    """The department that now carries the work of `department` after 机构改革 merges."""
    seen = {department.id}
    while department.merged_into_id is not None and department.merged_into_id not in seen:
        seen.add(department.merged_into_id)
        merged = session.get(Department, department.merged_into_id)
        if merged is None:
            break
        department = merged
    return department


def department_by_alias(*, session: Session, jurisdiction_id: int, name: str) -> Department | None:
    row = session.exec(
        select(Department)
        .join(DepartmentAlias, col(DepartmentAlias.department_id) == col(Department.id))
        .where(DepartmentAlias.jurisdiction_id == jurisdiction_id, DepartmentAlias.alias == name_key(name))
    ).first()
    return follow_merges(session=session, department=row) if row is not None else None


def add_alias(*, session: Session, department: Department, alias: str) -> bool:
    """Record `alias` for `department`; False when the jurisdiction already uses it (for any department)."""
    key = name_key(alias)
    taken = session.exec(
        select(DepartmentAlias).where(
            DepartmentAlias.jurisdiction_id == department.jurisdiction_id, DepartmentAlias.alias == key
        )
    ).first()
    if taken is not None:
        return taken.department_id == department.id
    assert department.id is not None
    session.add(
        DepartmentAlias(department_id=department.id, jurisdiction_id=department.jurisdiction_id, alias=key)
    )
    session.flush()
    return True


def get_or_create_department(
    *,
    session: Session,
    jurisdiction: Jurisdiction,
    name: str,
    kind: str | None = None,
    aliases: AliasTable | None = None,
) -> Department:
    """The department `name` of `jurisdiction`, created with its known aliases on first sight."""
    assert jurisdiction.id is not None
    canonical = aliases.canonical(name) if aliases is not None else name
    found = department_by_alias(session=session, jurisdiction_id=jurisdiction.id, name=canonical)
    if found is None and canonical != name:
        found = department_by_alias(session=session, jurisdiction_id=jurisdiction.id, name=name)
    if found is not None:
        return found
    kind = kind or guess_kind(canonical)
    department = Department(
        jurisdiction_id=jurisdiction.id,
        name=canonical,
        kind=kind,
        covers_kind=covered_kind(canonical) if kind == "collective" else None,
    )
    session.add(department)
    session.flush()
    spellings = aliases.aliases_of(canonical) if aliases is not None else {canonical}
    _add_aliases(session=session, department=department, spellings=spellings | {name, canonical})
    return department


def _add_aliases(*, session: Session, department: Department, spellings: set[str]) -> None:
    """add_alias for every spelling at once: a new department brings several, and an ingest many
    departments, so one query for the keys already taken and one batched insert, not two statements each."""
    assert department.id is not None
    keys = sorted({name_key(spelling) for spelling in spellings})
    taken = set(
        session.exec(
            select(DepartmentAlias.alias).where(
                DepartmentAlias.jurisdiction_id == department.jurisdiction_id,
                col(DepartmentAlias.alias).in_(keys),
            )
        ).all()
    )
    session.add_all(
        DepartmentAlias(department_id=department.id, jurisdiction_id=department.jurisdiction_id, alias=key)
        for key in keys
        if key not in taken
    )
    session.flush()


@dataclass
class DepartmentMatch:
    """The result of resolving a typed name: one department, or the candidates to ask about."""

    department: Department | None = None
    candidates: list[Department] = field(default_factory=list)
    jurisdictions: dict[int, str] = field(default_factory=dict)  # id -> name, to label candidates

    @property
    def found(self) -> bool:
        return self.department is not None

    def label(self, department: Department) -> str:
        return qualified_name(self.jurisdictions.get(department.jurisdiction_id), department.name)


def _split_region(name: str, jurisdictions: list[Jurisdiction]) -> list[tuple[Jurisdiction, str]]:
    """莱芜区发改局 -> (莱芜区, 区发改局) and (莱芜区, 发改局): the level word stays on for the shared alias form."""
    splits = []
    for jurisdiction in sorted(jurisdictions, key=lambda j: -len(j.name)):
        prefix = name_key(jurisdiction.name)
        # 莱芜区 and 莱芜 both prefix a name; what follows is tried as typed and with the level word (区)
        for candidate_prefix in dict.fromkeys([prefix, prefix[:-1] if len(prefix) > 2 else prefix]):
            if name.startswith(candidate_prefix) and len(name) > len(candidate_prefix):
                rest = name[len(candidate_prefix) :]
                splits.append((jurisdiction, rest))
                if not rest.startswith(prefix[-1]):
                    splits.append((jurisdiction, prefix[-1] + rest))  # 区 + 发改局
    return splits


def _region_matches(region: str, jurisdictions: list[Jurisdiction]) -> list[Jurisdiction]:
    key = name_key(region)
    exact = [j for j in jurisdictions if name_key(j.name) == key]
    if exact:
        return exact
    # 莱芜 -> 莱芜区, 济南市莱芜区 -> 莱芜区
    return [j for j in jurisdictions if key in name_key(j.name) or name_key(j.name) in key]


def resolve_department(
    *, session: Session, name: str, region: str | None = None, aliases: AliasTable | None = None
) -> DepartmentMatch:
    """Find the department a person means by `name` (any alias, optionally prefixed by its jurisdiction).

    Ambiguous or unknown names give candidates for a "did you mean" answer instead of a guess.
    """
    jurisdictions = list(session.exec(select(Jurisdiction)).all())
    labels = {j.id: j.name for j in jurisdictions if j.id is not None}
    key = name_key(name)
    scopes: list[tuple[Jurisdiction | None, str]]
    if region:
        regions = _region_matches(region, jurisdictions)
        if not regions:
            return DepartmentMatch(jurisdictions=labels)
        scopes = [(j, key) for j in regions]
        scopes += [(j, rest) for j, rest in _split_region(key, regions)]
    else:
        scopes = [*_split_region(key, jurisdictions), (None, key)]

    for jurisdiction, wanted in scopes:
        spellings = [wanted]
        # 莱芜区发改局 with no 莱芜区 in the ledger names nothing here: the place must not be stripped away
        names_unknown_place = jurisdiction is None and strip_place(wanted) != wanted
        if aliases is not None and aliases.canonical(wanted) != wanted and not names_unknown_place:
            spellings.append(aliases.canonical(wanted))
        found = _departments_named(session=session, jurisdiction=jurisdiction, spellings=spellings)
        if len(found) == 1:
            return DepartmentMatch(department=found[0], jurisdictions=labels)
        if len(found) > 1:
            return DepartmentMatch(candidates=found, jurisdictions=labels)

    scope_ids = {j.id for j, _ in scopes if j is not None} if region else set()
    return DepartmentMatch(
        candidates=_similar_departments(session=session, key=key, jurisdiction_ids=scope_ids),
        jurisdictions=labels,
    )


def _departments_named(
    *, session: Session, jurisdiction: Jurisdiction | None, spellings: list[str]
) -> list[Department]:
    statement = (
        select(Department)
        .join(DepartmentAlias, col(DepartmentAlias.department_id) == col(Department.id))
        .where(col(DepartmentAlias.alias).in_([name_key(s) for s in spellings]))
    )
    if jurisdiction is not None:
        statement = statement.where(DepartmentAlias.jurisdiction_id == jurisdiction.id)
    merged = {
        follow_merges(session=session, department=d).id: follow_merges(session=session, department=d)
        for d in session.exec(statement).all()
    }
    return sorted(merged.values(), key=lambda d: (d.jurisdiction_id, d.name))


def _similar_departments(
    *, session: Session, key: str, jurisdiction_ids: set[int | None], limit: int = 8
) -> list[Department]:
    statement = select(DepartmentAlias)
    if jurisdiction_ids:
        statement = statement.where(col(DepartmentAlias.jurisdiction_id).in_(jurisdiction_ids))
    alias_rows = session.exec(statement).all()
    scored: dict[int, float] = {}
    for row in alias_rows:
        score = difflib.SequenceMatcher(None, key, row.alias).ratio()
        if key in row.alias or row.alias in key:
            score += 0.5
        if score >= 0.5:
            scored[row.department_id] = max(scored.get(row.department_id, 0.0), score)
    best = sorted(scored, key=lambda department_id: -scored[department_id])
    departments: dict[int, Department] = {}
    for department_id in best:
        department = session.get(Department, department_id)
        if department is not None:
            department = follow_merges(session=session, department=department)
            assert department.id is not None
            departments.setdefault(department.id, department)
        if len(departments) >= limit:
            break
    return list(departments.values())


class MergeError(ValueError):
    """Two departments that cannot be merged (different jurisdictions, or the same one)."""


def merge_departments(*, session: Session, old: Department, into: Department) -> int:
    """Move the work, aliases, members and channels of `old` to `into` (机构改革); returns tasks moved.

    `old` stays as a row pointing at `into`, so links and history keep resolving. Commits.
    """
    if old.id == into.id:
        raise MergeError("不能把部门合并到它自己。 A department cannot be merged into itself.")
    if old.jurisdiction_id != into.jurisdiction_id:
        raise MergeError(
            "只能合并同一辖区内的部门。 Only departments of the same jurisdiction can be merged."
        )
    moved = 0
    kept = {a.task_id: a for a in session.exec(select(Assignment).where(Assignment.department_id == into.id))}
    for assignment in session.exec(select(Assignment).where(Assignment.department_id == old.id)).all():
        existing = kept.get(assignment.task_id)
        if existing is None:
            assignment.department_id = into.id  # type: ignore[assignment]
            session.add(assignment)
        else:
            if assignment.role == "lead":
                existing.role = "lead"  # 牵头 outranks 配合 when both merged bureaus were named
                session.add(existing)
            session.delete(assignment)
        moved += 1
    for alias in session.exec(select(DepartmentAlias).where(DepartmentAlias.department_id == old.id)).all():
        alias.department_id = into.id  # type: ignore[assignment]
        session.add(alias)
    for member in session.exec(select(Member).where(Member.department_id == old.id)).all():
        member.department_id = into.id
        session.add(member)
    bound = {
        (b.platform, b.channel_id)
        for b in session.exec(select(ChannelBinding).where(ChannelBinding.department_id == into.id)).all()
    }
    for binding in session.exec(select(ChannelBinding).where(ChannelBinding.department_id == old.id)).all():
        if (binding.platform, binding.channel_id) in bound:
            session.delete(binding)  # both bureaus already reported to this channel
            continue
        binding.department_id = into.id
        session.add(binding)
    old.merged_into_id = into.id
    session.add(old)
    session.commit()
    return moved
