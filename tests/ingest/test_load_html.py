"""Loading HTML pages: the document's text without the site's navigation, header, footer or scripts."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from ingest.errors import DocumentError
from ingest.load import load_source, loaded_from_bytes

GOVERNMENT_PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>莱芜区人民政府关于印发年度计划的通知_政府文件</title>
<style>.nav {{ color: red }}</style><script>var tracker = "统计代码";</script></head>
<body>
<div class="header"><img src="logo.png">莱芜区人民政府门户网站</div>
<ul class="main-nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/hd">互动交流</a></li></ul>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政府文件</a></div>
<div class="container">
  <div class="left-menu"><a href="/a">机构职能</a><a href="/b">政策解读</a><a href="/c">规划计划</a></div>
  <div class="article">
    <h1>莱芜区人民政府关于印发年度计划的通知</h1>
    <div class="TRS_Editor">
      <p>各功能区管委会，各街道（镇）办事处，区政府各部门：</p>
      <p>　　现将《莱芜区年度国民经济和社会发展计划》印发给你们，请认真组织实施。</p>
      <p>　　区发展改革局牵头，会同区统计局建立计划执行监测制度，
      每季度通报一次进展情况。</p>
      <table><tr><td>牵头单位</td><td>区发展改革局</td></tr></table>
    </div>
    <div class="share-bar">分享到：<a href="#">微信</a><a href="#">微博</a></div>
  </div>
  <div class="sidebar"><h3>相关文章</h3><a href="/x">关于做好防汛工作的通知</a></div>
</div>
<div id="footer">主办：莱芜区人民政府办公室 版权所有 网站标识码 3712000000</div>
</body></html>
"""


def load_html(tmp_path: Path, html: str, codec: str = "utf-8", name: str = "page.html"):
    path = tmp_path / name
    path.write_bytes(html.encode(codec))
    return load_source(str(path))


def test_main_text_without_navigation_header_footer_or_scripts(tmp_path):
    loaded = load_html(tmp_path, GOVERNMENT_PAGE.format(charset="utf-8"))
    assert loaded.format == "html"
    assert loaded.text.split("\n") == [
        "莱芜区人民政府关于印发年度计划的通知",
        "各功能区管委会，各街道（镇）办事处，区政府各部门：",
        "现将《莱芜区年度国民经济和社会发展计划》印发给你们，请认真组织实施。",
        "区发展改革局牵头，会同区统计局建立计划执行监测制度，每季度通报一次进展情况。",
        "牵头单位：区发展改革局",
    ]
    for chrome in ("首页", "当前位置", "机构职能", "分享到", "相关文章", "版权所有", "tracker", "color"):
        assert chrome not in loaded.text


@pytest.mark.parametrize(("declared", "codec"), [("gb2312", "gb18030"), ("GBK", "gbk"), ("big5", "big5")])
def test_the_charset_a_page_declares_is_used(tmp_path, declared, codec):
    html = GOVERNMENT_PAGE.format(charset=declared)
    if codec == "big5":
        html = opencc.OpenCC("s2t").convert(html)
    loaded = load_html(tmp_path, html, codec)
    assert "牵头单位" in loaded.text or "牽頭單位" in loaded.text
    assert loaded.encoding in ("gb18030", "cp950")


def test_an_undeclared_gbk_page_is_detected(tmp_path):
    html = GOVERNMENT_PAGE.replace('<meta charset="{charset}">', "")
    loaded = load_html(tmp_path, html, "gbk")
    assert "区发展改革局牵头" in loaded.text
    assert loaded.encoding == "gb18030"


def test_a_content_type_charset_wins_over_detection():
    raw = "<html><body><p>区发展改革局牵头，会同区财政局开展评估。</p></body></html>".encode("gbk")
    loaded = loaded_from_bytes("http://example/page", raw, name="page", content_type="text/html; charset=GBK")
    assert loaded.text == "区发展改革局牵头，会同区财政局开展评估。"


def test_a_division_table_reads_like_a_word_table_and_keeps_its_neighbours(tmp_path):
    html = """<html><body><div class="top"><a href="/">首页</a> <a href="/x">政务公开</a></div>
    <div class="main"><div class="title">重点任务分工方案</div><div class="info">发布时间：2024-03-01</div>
    <div class="content"><p>现将重点任务分工如下：</p>
    <table><tr><th>序号</th><th>重点任务</th><th>牵头单位</th><th>完成时限</th></tr>
    <tr><td>1</td><td><p>推进重点项目建设。</p><p>加快审批。</p></td><td rowspan="2">区发展改革局</td><td>2025年底前</td></tr>
    <tr><td>2</td><td>开展规划中期评估</td><td>2023年</td></tr>
    <tr><td>3</td><td>编制年度计划</td><td>区财政局</td><td>每年1月</td></tr></table>
    <p>各责任单位要于每季度末报送进展情况。</p></div></div>
    <div><a href="/1">相关链接一</a><a href="/2">相关链接二</a></div></body></html>"""
    assert load_html(tmp_path, html).text.split("\n") == [
        "重点任务分工方案",
        "发布时间：2024-03-01",
        "现将重点任务分工如下：",
        "推进重点项目建设；加快审批；牵头单位：区发展改革局；完成时限：2025年底前。",
        "开展规划中期评估；牵头单位：区发展改革局；完成时限：2023年。",
        "编制年度计划；牵头单位：区财政局；完成时限：每年1月。",
        "各责任单位要于每季度末报送进展情况。",
    ]


def test_a_layout_table_is_read_cell_by_cell(tmp_path):
    html = (
        "<html><body><table><tr><td><a href='/'>首页</a><a href='/a'>通知公告</a></td>"
        "<td><table><tr><td>区政府每年组织开展规划实施年度监测，形成监测报告。</td></tr></table>"
        "<p>规划中期评估由区发展改革局组织实施，评估报告报区人大常委会审议。</p></td></tr></table></body></html>"
    )
    text = load_html(tmp_path, html).text
    assert "区政府每年组织开展规划实施年度监测，形成监测报告。" in text
    assert "规划中期评估由区发展改革局组织实施，评估报告报区人大常委会审议。" in text


def test_an_article_element_is_preferred(tmp_path):
    filler = "".join(f"<p><a href='/n{index}'>其他新闻标题第{index}条</a></p>" for index in range(30))
    paragraphs = "<p>区政府每年组织开展规划实施年度监测，形成监测报告并向社会公布。</p>" * 3
    html = f"<html><body><div class='list'>{filler}</div><article><h2>实施机制</h2>{paragraphs}</article></body></html>"
    text = load_html(tmp_path, html).text
    assert "其他新闻" not in text
    assert text.startswith("实施机制\n区政府每年组织开展规划实施年度监测")


def test_a_page_of_br_separated_text_in_one_div(tmp_path):
    html = (
        "<html><body><div id='nav'><a href='/'>首页</a></div><div>"
        "第一章 总体要求<br>一、指导思想<br>坚持稳中求进工作总基调。<br>二、主要目标<br>地区生产总值增长6%左右。"
        "</div></body></html>"
    )
    assert load_html(tmp_path, html).text.split("\n") == [
        "第一章 总体要求",
        "一、指导思想",
        "坚持稳中求进工作总基调。",
        "二、主要目标",
        "地区生产总值增长6%左右。",
    ]


def test_the_page_title_is_kept_when_the_main_block_lacks_it(tmp_path):
    html = (
        "<html><head><title>任务分工方案</title></head><body><div class='content'>"
        "<p>区发展改革局负责统筹协调。</p><p>区财政局负责资金保障。</p></div></body></html>"
    )
    assert load_html(tmp_path, html).text.split("\n")[0] == "任务分工方案"


def test_the_site_name_is_cut_from_the_page_title(tmp_path):
    html = (
        "<html><head><title>关于印发任务分工方案的通知_莱芜区人民政府</title></head><body>"
        "<div class='title'>关于印发任务分工方案的通知</div><div class='content'>"
        "<p>区发展改革局负责统筹协调，区财政局负责资金保障。</p></div></body></html>"
    )
    assert load_html(tmp_path, html).text.split("\n") == [
        "关于印发任务分工方案的通知",
        "区发展改革局负责统筹协调，区财政局负责资金保障。",
    ]


def test_html_saved_under_a_word_name_is_read_as_html(tmp_path):
    html = "<html><body><p>区发展改革局牵头，各部门配合。</p></body></html>"
    loaded = load_html(tmp_path, html, name="notice.doc")
    assert loaded.format == "html"
    assert loaded.text == "区发展改革局牵头，各部门配合。"


def test_a_page_of_nothing_but_navigation_has_no_text(tmp_path):
    html = "<html><body><nav><a href='/'>首页</a></nav><script>var x = 1;</script><footer>版权所有</footer></body></html>"
    with pytest.raises(DocumentError) as caught:
        load_html(tmp_path, html)
    assert caught.value.code == "no_text"
