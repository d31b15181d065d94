"""`planbot extract`: print the task records of documents without storing anything."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bot.commands.ledger_support import out_console
from bot.settings import load_settings
from ingest.errors import DocumentError
from ingest.load import load_source
from ingest.pipeline import extract_document
from ingest.records import ExtractedDocument
from ingest.units import default_alias_table


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


def register(app: typer.Typer) -> None:
    app.command("extract")(extract_command)


def extract_command(
    sources: Annotated[list[str], typer.Argument(help="文件路径或网址 / paths or http(s) URLs")],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="jsonl | table")
    ] = OutputFormat.table,
    year: Annotated[
        int | None, typer.Option(help="文件年份（无法从文中识别时）/ the document's year")
    ] = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="显示每条记录依据的规则、置信度和标准单位名 / show the rule, confidence and canonical unit",
        ),
    ] = False,
) -> None:
    """从规划文件中提取任务分工（不入库）。 Extract task assignments from documents without storing them."""
    settings = load_settings()
    aliases = default_alias_table()
    if settings.alias_file:
        aliases = aliases.extended_from_file(settings.alias_file)
    out = out_console()
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    failures = 0
    with Progress(console=err, transient=True, disable=len(sources) < 2) as progress:
        bar = progress.add_task("提取 / extracting", total=len(sources))
        for source in sources:
            try:
                loaded = load_source(source, **settings.source_limits())
                document = extract_document(loaded, aliases=aliases, year=year)
            except DocumentError as error:
                failures += 1
                err.print(f"[red]✗ {source}[/red]\n  {error.zh}\n  {error.en}")
                progress.advance(bar)
                continue
            if output_format is OutputFormat.jsonl:
                write_jsonl(document, explain=explain)
            else:
                out.print(records_table(document, wide=out.width >= 120, explain=explain))
                if document.indicators:
                    out.print(indicators_table(document))
            for warning in document.warnings[:5]:
                err.print(f"[yellow]! {source}: {warning}[/yellow]")
            progress.advance(bar)
    if failures:
        raise typer.Exit(code=2)


def write_jsonl(document: ExtractedDocument, *, explain: bool = False) -> None:
    lines = [
        json.dumps(record.explained() if explain else record.as_contract(), ensure_ascii=False)
        for record in document.records
    ]
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def records_table(document: ExtractedDocument, *, wide: bool = True, explain: bool = False) -> Table:
    if document.period:
        span = f"规划期 {document.period[0]}–{document.period[1]}"
    else:
        span = f"{document.year} 年度" if document.year else "年份未识别"
    table = Table(
        title=f"{document.title or document.source}（{document.jurisdiction or '辖区未识别'}，{span}，"
        f"{len(document.records)} 条）",
        show_lines=False,
    )
    table.add_column("单位", no_wrap=True, min_width=6)
    table.add_column("角色", no_wrap=True)
    table.add_column("任务", overflow="fold", ratio=3)
    table.add_column("时限", no_wrap=True)
    table.add_column("周期", no_wrap=True)
    if wide:
        table.add_column("章节", overflow="fold", ratio=1)
    if explain:
        table.add_column("规则", no_wrap=True)
        table.add_column("置信度", no_wrap=True, justify="right")
    role_names = {"lead": "牵头", "co": "配合", None: ""}
    recurrence_names = {"yearly": "每年", "quarterly": "每季度", "monthly": "每月", None: ""}
    for record in document.records:
        cells = [
            record.department or "（未指明）",
            role_names.get(record.role, record.role or ""),
            record.task,
            record.due.isoformat() if record.due else "",
            recurrence_names.get(record.recurrence, record.recurrence or "")
            + (f"{record.starts.year}起" if record.starts else ""),
            record.section.rsplit(" > ", 1)[-1],
        ]
        cells = cells if wide else cells[:-1]
        if explain:
            cells += [record.rule, f"{record.confidence:.2f}"]
        table.add_row(*cells)
    return table


def indicators_table(document: ExtractedDocument) -> Table:
    """The plan's main indicators under its tasks: name, base and target as written, 属性 and units."""
    table = Table(title=f"主要指标（{len(document.indicators)} 项）", show_lines=False)
    for column in ("指标", "单位", "基期", "目标", "属性", "责任单位"):
        table.add_column(column, overflow="fold")
    for item in document.indicators:
        base = f"{item.base_year or ''} {item.base_value}".strip() if item.base_value else ""
        target = f"{item.target_year or ''} {item.target_value or ''}".strip()
        units = "、".join(item.departments)
        table.add_row(item.name, item.unit or "", base, target, item.attribute or "", units)
    return table
