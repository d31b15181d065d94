"""Recognising responsible units and canonicalizing their spellings."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.units import AliasTable, default_alias_table, strip_place, unit_kind, units_in_series


def names(text: str) -> list[str]:
    mentions, _ = units_in_series(text, 0)
    return [mention.name for mention in mentions]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("区发展改革局要会同有关部门", ["区发展改革局"]),
        ("各功能区、各镇（街道）、各部门（含单位，下同）要根据职责", ["各功能区", "各镇（街道）", "各部门"]),
        ("区财政局和区统计局负责", ["区财政局", "区统计局"]),
        ("区住房和城乡建设局要年内完成", ["区住房和城乡建设局"]),
        ("市自然资源和规划局要预留空间", ["市自然资源和规划局"]),
        ("市委组织部要将实施情况纳入考核", ["市委组织部"]),
        ("各区（县）人民政府要结合实际", ["各区（县）人民政府"]),
        ("临河经济开发区管委会牵头", ["临河经济开发区管委会"]),
        ("行政审批部门进一步加强队伍建设", ["行政审批部门"]),
        ("区应急管理局牵头", ["区应急管理局"]),
        ("国家发展改革委会同财政部", ["国家发展改革委"]),
        ("区政府督查室汇总后报区政府", ["区政府督查室"]),  # not one long name ending in 政府
    ],
)
def test_units_at_the_head_of_a_clause(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "发挥纪检监察机关的监督作用",  # a verb phrase, not a unit
        "分时分级分部门制定目标任务",
        "区级财政性资金优先保障",
        "重大改革事项纳入年度重点改革任务",
        "全区上下要更加紧密地团结",
    ],
)
def test_no_unit_where_the_clause_does_not_open_with_one(text):
    assert names(text) == []


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("区发改局", "区发展改革局"),
        ("区发展和改革局", "区发展改革局"),
        ("莱芜区发展和改革局", "区发展改革局"),
        ("济南市莱芜区发改局", "区发展改革局"),
        ("区发展改革部门", "区发展改革局"),
        ("区人民政府", "区政府"),
        ("泰山区人民政府", "区政府"),
        ("各镇街", "各镇（街道）"),
        ("各街道镇", "各镇（街道）"),
        ("有关部门", "各有关部门"),
        ("区工信局", "区工业和信息化局"),
        ("区住建局", "区住房城乡建设局"),
        ("区教体局", "区教育和体育局"),
        ("区科学技术局", "区科技局"),
        ("区应急局", "区应急管理局"),
        ("区行政审批局", "区行政审批服务局"),
        ("市自然资源和规划局", "市自然资源局"),
        ("区市场监督管理局", "区市场监管局"),
    ],
)
def test_spellings_share_one_canonical_name(written, canonical):
    assert default_alias_table().canonical(written) == canonical


def test_place_prefix_is_stripped_to_the_level():
    assert strip_place("山东省潍坊市潍城区财政局") == "区财政局"
    assert strip_place("区财政局") == "区财政局"


def test_unit_kinds():
    assert unit_kind("各镇（街道）") == "collective"
    assert unit_kind("区政府") == "government"
    assert unit_kind("区发展改革局") == "bureau"
    assert unit_kind("区编委") == "committee"


def test_users_extend_the_table_from_a_file(tmp_path: Path):
    extra = tmp_path / "aliases.tsv"
    extra.write_text("# after 机构改革\n区数据局\t区大数据局\t区大数据中心\n", encoding="utf-8")
    table = default_alias_table().extended_from_file(extra)
    assert table.canonical("区大数据中心") == "区数据局"
    assert default_alias_table().canonical("区大数据中心") == "区大数据中心"  # the shipped table is untouched


def test_aliases_of_lists_every_spelling():
    table = AliasTable()
    table.add("区发展改革局", "区发改局", "区发展和改革局")
    assert table.aliases_of("区发展改革局") == {"区发展改革局", "区发改局", "区发展和改革局"}


def test_a_units_place_is_written_once():
    from ingest.units import qualified_name

    assert qualified_name("临河区", "区发展改革局") == "临河区发展改革局"
    assert qualified_name("青川市", "市发展改革委") == "青川市发展改革委"
    assert qualified_name("临河区", "区委办公室") == "临河区委办公室"
    assert qualified_name("临河区", "临河区人民法院") == "临河区人民法院"
    assert qualified_name("临河区", "各镇（街道）") == "临河区各镇（街道）"
    assert qualified_name(None, "区财政局") == "区财政局"


def test_bodies_named_without_their_level_are_units_where_work_is_plainly_given():
    # 住建局 and 城市管理执法大队 as the subject of a duty or in a list of responsible units
    assert [m.name for m in units_in_series("住建局要加快老旧小区改造。", 0)[0]] == ["住建局"]
    assert [m.name for m in units_in_series("国土局、城市管理执法大队）", 0)[0]] == ["国土局", "城市管理执法大队"]
    # but not a facility, an idiom, or a bureau glued to the verb before it
    assert units_in_series("数据中心要建成投用。", 0)[0] == []
    assert units_in_series("开好局、起好步。", 0)[0] == []
    assert [m.name for m in units_in_series("要求区发改局要完成", 1)[0]] == []


def test_every_locality_of_several_kinds_is_one_collective():
    for written in ("各乡镇场", "各乡、镇（场）人民政府", "各镇办", "各乡镇、街道", "各街道镇"):
        assert [m.name for m in units_in_series(written + "要抓好落实。", 0)[0]] == [written]
    # 园区 after 、 is a unit of its own, not one more kind of locality
    assert [m.name for m in units_in_series("各街道镇、园区要落实。", 0)[0]] == ["各街道镇", "园区"]


def test_etc_closes_a_unit_name():
    assert [m.name for m in units_in_series("区财政局、区水务局等部门配合", 0)[0]] == ["区财政局", "区水务局"]


def test_a_unit_may_be_followed_by_the_verb_of_its_work_and_a_township_is_short():
    assert [m.name for m in units_in_series("领导小组办公室征求各镇意见", 0, lenient=True)[0]] == ["领导小组办公室"]
    assert [m.name for m in units_in_series("区发改局形成基本思路", 0)[0]] == ["区发改局"]
