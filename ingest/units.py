"""Responsible units: recognising them in text and canonicalizing their many spellings.

Written by hand because no tagger knows the naming of Chinese government bodies: a unit is a level marker
(区/市/县/省/国家…) or a place name, a field of work and a body suffix (局/委/办/中心/部门…); a collective addressee
(各部门, 各镇（街道）, 区直有关部门…) names a whole class of units. Units are read only where a sentence makes them
responsible (the subject of a clause, 由X, X牵头, X配合), never as objects (报X备案, 分解到X).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.unit_names import (
    PLACE_PREFIX,
    SUFFIX_LAST_CHARS,
    AliasTable,
    default_alias_table,
    ends_with_suffix,
    expand_abbreviations,
    qualified_name,
    strip_place,
)

LEVEL_PREFIXES = (
    "自治区",
    "自治州",
    "自治县",
    "国务院",
    "国家",
    "中央",
    "街道",
    "省",
    "市",
    "区",
    "县",
    "镇",
    "乡",
    "州",
    "盟",
    "旗",
    "各",
    # companies that plans give work to (农网改造, 5G基站) carry their group's name, not a level
    "国网",
    "中国移动",
    "中国电信",
    "中国联通",
    "中国铁塔",
)
# 各区（县）人民政府, 各县（市、区）: a collective whose kinds are listed in brackets
BRACKETED_COLLECTIVE = re.compile(
    r"各[\u4e00-\u9fff]{1,3}[（(][\u4e00-\u9fff、]{1,8}[）)]"
    r"(?:人民政府|政府|管委会|党委|各部门|有关部门|[\u4e00-\u9fff]{2,6}?(?:部门|局|委))?"
)
# 市、县（市、区）人民政府: the governments of several levels named at once, one addressee as the law writes it
LEVEL_LIST_BODY = re.compile(
    r"[省市区县](?:(?:、[市区县乡镇](?:[（(][市区县、]{1,8}[）)])?)+|[（(][市区县、]{1,8}[）)])"
    r"(?:[\u4e00-\u9fff]{2,10}?(?:部门|机关)|人民政府|政府|党委|有关部门)"
)
# 东、西、南三区人民政府, 城关、青石、河西三镇: places sharing one level and body, counted; each is a unit
SHARED_SUFFIX = re.compile(
    r"((?:[\u4e00-\u9fff]{1,4}、)+[\u4e00-\u9fff]{1,4})([两二三四五六七八九十])(区|县|镇|乡|街道|市)(人民政府|政府|党委)?"
)
COUNT_WORDS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# a unit named by its role or function (规划实施牵头单位, 专项规划编制部门, 发展规划行政主管部门, 行业主管部门):
# kept as written; the ledger resolves it to the bureau where the document or the alias table says which
ROLE_BODY = re.compile(
    r"^(?:各|原)?[\u4e00-\u9fff]{0,8}?(?:牵头|责任|配合|协同|承担|承办|主办|编制|行政主管|主管)(?:单位|部门|机关|主体)$"
)
# every locality of one or more kinds: 各乡镇场, 各乡、镇（场）, 各镇办, 各街道、镇, 各乡镇（街道）人民政府. Kinds
# are listed by their level words, joined by 、 or bracketed; the list is read whole, as one collective addressee
LOCALITY = r"(?:乡|镇|街道|街|办|场|村|社区|居|县|市|区|旗|园区|开发区|功能区|管区|苏木|嘎查)"
LOCALITY_LEVEL = r"(?:乡|镇|街道|街|办|场|村|社区|居|县|市|区|旗|苏木|嘎查)"
LOCALITY_COLLECTIVE = re.compile(
    rf"各{LOCALITY}(?:、?{LOCALITY_LEVEL}|[（(]{LOCALITY}(?:、{LOCALITY})*[）)])+"
    r"(?:人民政府|政府|办事处|管委会|党委|党工委)?"
    rf"|各(?:相关|有关){LOCALITY}(?:、?{LOCALITY_LEVEL})*(?:人民政府|政府|办事处)?"  # 各相关社区: some of them
)
# a park named as a body (凤栖经开区要…), and commissions that plans write without their level (发改委要…)
ZONE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,10}(?:经开区|高新区|开发区|工业园区|产业园区|新区)$")
BARE_COMMISSION = re.compile(r"^(?:发改委|经信委|卫健委|工信委|教委|科委|住建委|农委|商委|国资委|编委|网信办|改革办|政研室)$")
# a bureau written without the level its list opened with (市财政局、统计局)
INHERITS_LEVEL = re.compile(r"^[\u4e00-\u9fff]{2,8}(?:局|委|办|中心)$")
# a body named without its level (住建局, 城市管理执法大队, 县供电公司's 供电公司): a unit only where the sentence
# plainly gives it work (a role word or modal follows) or where only units can stand (a 责任单位 list)
BARE_BODY = re.compile(
    r"^[\u4e00-\u9fff]{1,12}(?:局|委员会|办公室|大队|支队|中队|残联|团委|工商联|妇联|科协|管委会|公司|集团|中心|站|所|院|处"
    r"|报社|电视台|广播电视台)$"
)
TOWN = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:镇|乡|街道|苏木)(?:人民政府|政府|办事处)?$")
NOT_A_TOWN = re.compile(
    r"(?:城|小|集|村|乡|各|全|本|该|特色|中心|重点)(?:镇|乡)|城乡|乡镇|^(?:完成|实现|建成|新建|改造|提升|推进|加快|打造|建设)"
)
# working teams set up for the plan: 各专班, 各编制专班, 全区工业经济各专班
TEAMS = re.compile(r"^(?:全[区市县])?[\u4e00-\u9fff]{0,8}?各[\u4e00-\u9fff]{0,4}(?:专班|工作组|工作专班)$")
# a headquarters' office carries the project in its name: 市重大项目建设指挥部办公室
COMMAND_OFFICE = re.compile(r"(?:指挥部|领导小组)(?:办公室)?$")
# 开好局、起好步 and 全局 are words, not bureaus
IDIOM_ENDINGS = re.compile(r"(?:格|大|全|好|开|布|破|当|结|变|危|残|时|新|棋|赛|骗|定)局$")
# a bare body begins where a name can begin: the start, after a separator or a list number, never inside a word
BARE_START_AFTER = set("、，,；;：:（(）) \u3000\t。.．\n") | set("0123456789")
# development zones carry long names of their own: 临河经济开发区管委会, 泰安农高区
ZONE_BODY = re.compile(
    r"^[\u4e00-\u9fff]{2,10}(?:开发区|高新区|农高区|园区|新区|试验区|示范区|产业园)(?:管委会|管理委员会|工委|党工委)$"
)
# characters that never occur inside a unit's name (they mark a clause, an object or a verb phrase), and
# spaces: a name holds none, and a Word cell with one unit per line reaches the text with spaces between them
NAME_BREAKERS = set("，。、；：！？的要将把在为与及或是由向从被让请按并且也还都了着过之其该此这那等（）() \u3000\t")
NOT_IN_NAME = re.compile(
    r"负责|牵头|会同|配合|推进|推动|加强|加快|做好|落实|实施|开展|建立|健全|完善|制定|组织(?!部)|统筹|协调|指导|督促|提出|纳入|报送|上报"
    r"|汇总|报送|上报|审核|审议|批准|同意|提请|印发|办理|转交|后报|发挥|支持|鼓励|引导|要求|坚持|依托|通过|依靠|动员|联系|接受|听取|报请|提请|经过|根据|按照|围绕|针对"
    r"|规划(?!局|和|委|院|部门|分局|编制部门|办|建设局|管理局|服务中心|行政主管部门|主管部门)|计划(?!委|局)|意见|方案|工作(?!委员会|领导小组|部|办公室|站)|(?<!城乡)建设(?!局|厅|部|委)"
    r"|项目(?!服务中心|办|中心)|任务|指标|资金|政策|企业(?!服务中心|局)|群众|干部|领导(?!小组)"
)
# words that may follow a unit at the head of a clause: separators, roles, modal verbs and common predicates
CONTINUATIONS = re.compile(
    r"(?:、|，|和|及|以及|与|同|会同|联合|协同|配合|协助|参与|牵头|负责|分别|共同|按|要|应|须|需|必须|将|把|对|对于|在|于|为|是|作为|等|以|"
    r"根据|依据|按照|结合|围绕|针对|聚焦|立足|统筹|组织|做好|加强|加快|进一步|切实|及时|主动|积极|认真|严格|定期|每|自|从|"
    r"于每年|立即|尽快|推进|推动|开展|建立|健全|完善|制定|落实|提出|承担|具体|也|还|都|均|继续|着力|全面|重点|不断|持续|发挥|编制|督促|指导|"
    r"协调|审核|起草|研究|做|会|可|可以|适时|通过|依法|深入|全力|抓好|抓紧|确保|实行|实施|组建|设立|建设|打造|完成|牵头做好|部署|召开|"
    r"争取|谋划|梳理|跟踪|监测|评估|考核|汇总|报送|上报|印发|出台|发布|公布|公开|接受|自觉|密切|强化|优化|提升|提高|做实|抓实|压实|"
    r"细化|明确|分解|研究制定|共同做好|具体负责|主要|班子|领导班子|领导同志|逐项|逐一|逐级|予以|务必|务于|征求|召集|形成|修改|论证|衔接|提交|提供|测算|确定|"
    r"收集|整理|汇编|编写|撰写|拟定|会商|对接|调研|核实|巡查|约谈|答复|反馈|拨付|下达|（|\(|）|\)|：|:|；|;|,|。|\s|$)"
)
# 数据中心要建成 is a facility: a bare 中心/站/所 is a unit only when a role word gives it the work
WEAK_BODY_SUFFIXES = ("中心", "站", "所", "院", "处")
ROLE_CONTINUATION = re.compile(r"负责|牵头|会同|配合|协助|参与|、|和|及|[，,；;）)]|。|$")
STRONG_CONTINUATION = re.compile(r"要|应|须|务必|务于|必须|负责|牵头|会同|配合|进一步|切实|及时|按职责|统筹|、|和|及|[）)]|是[^。；]{2,30}[，,]负责")
CONJUNCTIONS = ("以及", "、", "和", "及", "与")
# a note after a unit: （含单位，下同）, （单位）, （牵头）; never a second unit
ANNOTATION = re.compile(
    r"[（(](?:含|包括|下同|以下简称|以下称|简称|单位|牵头|配合|部门|各|有关)[^（()）]{0,14}[）)]"
)

COLLECTIVE_FORMS = (
    "各功能区管委会", "各功能区", "功能区", "各镇（街道）", "各镇(街道)", "各镇（街）", "各镇街道", "各镇街", "各街道（镇）",
    "各街道(镇)", "各街道镇", "各街道、镇", "各镇、街道", "各街道办事处", "各镇人民政府", "各镇政府", "相关镇街", "有关镇街", "镇街",
    "各乡镇（街道）", "各乡镇(街道)", "各乡镇", "各街道", "各镇", "各园区", "园区", "各开发区", "各县（市、区）", "各县(市、区)",
    "各县（市区）", "各县市区", "各县区政府", "各区县政府", "各县区", "各区县", "各区", "各县", "各市", "各地区各部门", "各地各部门",
    "各地区", "各地", "各级各部门", "各级、各部门", "各级各类规划编制部门", "各级党委和政府", "各级党委政府", "各级政府",
    "各部门（含单位，下同）", "各部门(含单位，下同)", "各部门（含单位）", "各部门(含单位)", "区直各部门", "区政府各部门",
    "市政府各部门", "市直各部门", "县直各部门", "县政府各部门", "各部门", "区直各有关部门", "区直有关部门", "市直有关部门",
    "市级有关部门", "县直有关部门", "省直有关部门", "省级有关部门", "国务院有关部门", "各有关部门", "有关部门", "各相关部门", "相关部门",
    "各有关单位", "有关单位", "相关单位", "区直各单位", "市直各单位", "各单位", "各责任单位", "责任单位", "各责任部门",
    "主要责任部门", "责任部门", "参与部门", "牵头单位", "牵头部门", "配合单位", "配合部门", "各成员单位", "成员单位",
    "各类规划编制部门", "规划编制部门", "纪检监察机关", "审计机关", "区委各部门", "市委各部门",
    "各省（自治区、直辖市）", "各省(自治区、直辖市)", "各省、自治区、直辖市", "地方各级人民政府", "地方各级政府", "各级人民政府",
    "国务院各部门", "中央和国家机关有关部门", "中央和国家机关各部门", "各级发展改革部门", "各级发展改革委", "地方各级发展改革部门",
    "市政府有关部门", "区政府有关部门", "县政府有关部门", "市有关部门", "区有关部门", "县有关部门", "各县市区政府", "各县（市、区）政府",
    "各县(市、区)政府", "各牵头单位", "各配合单位", "各牵头部门", "市级各部门", "区级各部门", "县级各部门", "各区县政府", "各开发区管委会", "各园区管委会",
)  # fmt: skip
LABEL_WORDS = frozenset(("责任单位", "牵头单位", "配合单位", "责任部门", "牵头部门", "配合部门", "成员单位"))
# national bodies carry no level marker in their names
NATIONAL_BODIES = (
    "财政部", "教育部", "科技部", "工业和信息化部", "公安部", "民政部", "司法部", "人力资源社会保障部", "自然资源部", "生态环境部",
    "住房城乡建设部", "交通运输部", "水利部", "农业农村部", "商务部", "文化和旅游部", "退役军人事务部", "应急管理部", "人民银行",
    "中国人民银行", "审计署", "海关总署", "税务总局", "市场监管总局", "外交部", "国防部", "国务院国资委", "国务院办公厅",
)  # fmt: skip
# lexicon forms by their first character, longest first: unit_at runs at every clause start
LEXICON_BY_FIRST: dict[str, list[str]] = {}
# the Youth League's committees put 团 before the level: 团区委, 团市委
YOUTH_LEAGUE = ("团区委", "团市委", "团县委", "团省委", "团乡委", "团镇委", "团州委", "团旗委")
for _form in sorted(COLLECTIVE_FORMS + NATIONAL_BODIES + YOUTH_LEAGUE, key=len, reverse=True):
    LEXICON_BY_FIRST.setdefault(_form[0], []).append(_form)



@dataclass(frozen=True, slots=True)
class UnitMention:
    name: str  # as written (annotations such as （含单位，下同） dropped)
    start: int
    end: int










def unit_kind(canonical: str) -> str:
    if canonical in NATIONAL_BODIES:
        return "bureau"
    if (
        canonical.startswith(("各", "有关", "相关", "地方"))
        or canonical in COLLECTIVE_FORMS
        or "各" in canonical
    ):
        return "collective"
    if canonical.endswith(("政府", "管委会", "办事处")):
        return "government"
    if canonical.endswith(("委员会", "领导小组", "党委", "工委")) or (
        canonical.endswith("委") and "发展改革委" not in canonical
    ):
        return "committee"
    return "bureau"






def unit_at(text: str, start: int, *, lenient: bool = False) -> UnitMention | None:
    """The unit whose name begins exactly at `start` and is followed by a plausible continuation.

    `lenient` is for places where only a unit can stand (after 会同/配合): any short name with a body suffix."""
    bracketed = BRACKETED_COLLECTIVE.match(text, start)
    if bracketed and _continues(text, bracketed.end()):
        return UnitMention(bracketed.group(), start, bracketed.end())
    levels = LEVEL_LIST_BODY.match(text, start)
    if levels and _continues(text, levels.end()):
        return UnitMention(levels.group(), start, levels.end())
    localities = LOCALITY_COLLECTIVE.match(text, start)
    if localities and _continues(text, localities.end()):
        return UnitMention(localities.group(), start, localities.end())
    if start >= len(text):
        return None
    for form in LEXICON_BY_FIRST.get(text[start], ()):
        if form in LABEL_WORDS and text.startswith(("：", ":"), start + len(form)):
            return None  # 责任单位：… is a label heading a list, not a unit
        if text.startswith(form, start) and _continues(text, start + len(form)):
            return UnitMention(_drop_annotation(form), start, start + len(form))
    limit = min(len(text), start + 20)
    for end in range(limit, start + 1, -1):
        if text[end - 1] not in SUFFIX_LAST_CHARS:
            continue
        candidate = text[start:end]
        if not ends_with_suffix(candidate):
            continue
        if not plausible_name(candidate) and not (lenient and _lenient_name(candidate)):
            continue
        if not _continues(text, end):
            continue
        if (
            not lenient
            and (generic_name(candidate) or not candidate.startswith(LEVEL_PREFIXES))
            and not STRONG_CONTINUATION.match(text, end)
            and not ANNOTATION.match(text, end)  # 青川市项目服务中心（以下简称项目中心）: a name being defined
        ):
            continue  # 启动区…中心建设: without a level marker, only a clearly assigned subject is a unit
        if generic_name(candidate) and start and text[start - 1] not in BARE_START_AFTER and not lenient:
            continue  # 要求区发改局: 求区发改局 is no name
        if (
            not lenient
            and generic_name(candidate)
            and candidate.endswith(WEAK_BODY_SUFFIXES)
            and not ROLE_CONTINUATION.match(text, end)
            and not (len(candidate) >= 6 and STRONG_CONTINUATION.match(text, end))  # 社区事务受理中心要…
        ):
            continue
        split = _conjunction_split(candidate)
        if split:
            return UnitMention(candidate[:split], start, start + split)
        return UnitMention(candidate, start, end)
    return None




def units_in_series(text: str, start: int, *, lenient: bool = False) -> tuple[list[UnitMention], int]:
    """Read "A、B和C" from `start`; return the units and the offset just after the series."""
    mentions: list[UnitMention] = []
    position = start
    while True:
        shared = _shared_suffix_units(text, position)
        if shared:
            mentions.extend(shared)
            position = shared[-1].end
            for conjunction in CONJUNCTIONS:
                if text.startswith(conjunction, position) and unit_at(text, position + len(conjunction)):
                    position += len(conjunction)
                    break
            else:
                break
            continue
        mention = unit_at(text, position, lenient=lenient)
        if not mention:
            break
        mentions.append(_with_shared_level(mentions[0], mention) if mentions else mention)
        position = mention.end
        annotation = ANNOTATION.match(text, position)
        if annotation:
            position = annotation.end()
        for conjunction in CONJUNCTIONS:
            if text.startswith(conjunction, position) and unit_at(
                text, position + len(conjunction), lenient=lenient
            ):
                position += len(conjunction)
                break
        else:
            break
    return mentions, position


def _with_shared_level(first: UnitMention, mention: UnitMention) -> UnitMention:
    """市发改委、商务局、科技局: the bureaus after the first share its level, written once."""
    level = first.name[:1]
    if level not in "省市区县乡镇" or not generic_name(mention.name) or not INHERITS_LEVEL.match(mention.name):
        return mention
    if set(mention.name[:2]) & set("省市区县乡镇"):
        return mention  # 团县委 carries its level inside its name
    return UnitMention(level + mention.name, mention.start, mention.end)


def _shared_suffix_units(text: str, start: int) -> list[UnitMention]:
    """东、西、南三区人民政府 -> 东区人民政府, 西区人民政府, 南区人民政府 (when the count agrees)."""
    match = SHARED_SUFFIX.match(text, start)
    if not match or not _continues(text, match.end()):
        return []
    places = match.group(1).split("、")
    if len(places) != COUNT_WORDS[match.group(2)] or any(set(place) & NAME_BREAKERS for place in places):
        return []
    suffix = match.group(3) + (match.group(4) or "")
    return [UnitMention(place + suffix, start, match.end()) for place in places]


def plausible_name(candidate: str) -> bool:
    """Whether `candidate` reads as the name of a body (a level or place, a field of work, a body suffix)."""
    if len(candidate) < 2 or any(char in NAME_BREAKERS for char in candidate[:-1]):
        return False
    if "和" in candidate[1:-1] and _conjunction_split(candidate) is None and not _joined_field(candidate):
        return False
    if TEAMS.match(candidate) or (COMMAND_OFFICE.search(candidate) and candidate.startswith(LEVEL_PREFIXES)):
        return True  # 各专班, 全区工业经济各专班; 市重大项目建设指挥部办公室
    if ROLE_BODY.match(candidate) and len(candidate) >= 4 and not re.search(r"[的了着]", candidate):
        return True  # a generic name: callers require a plain assignment after it
    if NOT_IN_NAME.search(candidate):
        return False
    if ZONE_BODY.match(candidate):
        return True
    if ZONE_NAME.match(candidate) or BARE_COMMISSION.match(candidate):
        return True  # callers require a plain assignment after it
    if TOWN.match(candidate) and not NOT_A_TOWN.search(candidate):
        return True  # 青石镇, 河西镇人民政府: a township by its own name; callers require a plain assignment
    if BARE_BODY.match(candidate) and len(candidate) >= 3 and not IDIOM_ENDINGS.search(candidate):
        return True  # callers require a plain assignment after it and a clean start (`_bare_start_ok`)
    if candidate.startswith(LEVEL_PREFIXES) or PLACE_PREFIX.match(candidate):
        return len(candidate) >= 3 or candidate in ("区委", "市委", "县委")
    # an unprefixed field + 部门/机关 (行政审批部门, 审计机关) names a unit only as a clause subject that is
    # plainly given work; callers check the continuation with `generic_name`
    return (
        candidate.endswith(("部门", "机关"))
        and 4 <= len(candidate) <= 10
        and not re.search(r"分|各类|其他|所有", candidate)
    )


def generic_name(candidate: str) -> bool:
    """True for names such as 行政审批部门 that carry no level marker or place."""
    return not (
        candidate.startswith(LEVEL_PREFIXES) or PLACE_PREFIX.match(candidate) or candidate in COLLECTIVE_FORMS
    )


def _lenient_name(candidate: str) -> bool:
    if candidate.endswith(("镇", "乡", "街道")) and not TOWN.match(candidate):
        return False  # a township is a short place name: 领导小组办公室征求各镇 is no unit
    return (
        3 <= len(candidate) <= 12
        and not any(char in NAME_BREAKERS for char in candidate)
        and not NOT_IN_NAME.search(candidate)
    )


def _joined_field(candidate: str) -> bool:
    """发展和改革, 工业和信息化, 文化和旅游…: 和 inside one field name, not between two units."""
    return bool(
        re.search(
            r"发展和改革|工业和信息化|文化和旅游|教育和体育|自然资源和规划|住房和城乡|人力资源和社会|卫生和|商务和|科学技术和|"
            r"农业和农村|交通和|城乡和|广播电视和|新闻出版和",
            candidate,
        )
    )


def _conjunction_split(candidate: str) -> int | None:
    """区财政局和区统计局 is two units; return where the first ends."""
    for conjunction in ("和", "及", "与"):
        index = candidate.find(conjunction, 2)
        while index > 0:
            head, tail = candidate[:index], candidate[index + 1 :]
            if ends_with_suffix(head) and tail.startswith(LEVEL_PREFIXES) and ends_with_suffix(tail):
                return index
            index = candidate.find(conjunction, index + 1)
    return None


def _continues(text: str, end: int) -> bool:
    return bool(CONTINUATIONS.match(text, end))


def _drop_annotation(form: str) -> str:
    return re.sub(r"[（(](?:含|包括)[^）)]*[）)]", "", form)


# the alias table and spelling helpers live in ingest.unit_names; callers know them as ingest.units names too
__all__ = [
    "AliasTable",
    "UnitMention",
    "default_alias_table",
    "expand_abbreviations",
    "generic_name",
    "plausible_name",
    "qualified_name",
    "strip_place",
    "unit_at",
    "unit_kind",
    "units_in_series",
]
