"""``screener model ...`` and ``screener feedback ...``: learning from the reviewers.

Candidate models are trained from the shipped data plus every reviewer's feedback and compared
with the model in force (``model train``); a maintainer puts one in force (``model promote``,
with a reason) or goes back (``model rollback``). Every promotion, rollback and feedback import
is appended to the review service's audit log when this state folder has one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .cli_common import VERDICTS, HomeOption, err, fail, out, settings_from
from .errors import ScreenerError
from .plugins import hooks

model_app = typer.Typer(
    help="分类模型： 用审核反馈训练候选模型， 与当前模型比较， 启用与回退"
         "（每次启用都记入审计日志）。",
    no_args_is_help=True)
feedback_app = typer.Typer(
    help="审核反馈： 签发时对每项发现的判断、漏报、导入的标注文本。", no_args_is_help=True)

ByOption = Annotated[str | None, typer.Option(
    "--by", help="谁做的（记录在案）； 默认为操作系统用户名。")]
JsonOption = Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象（供程序读取）。")]
CLASS_NAMES = {"confidential": "涉密", "commercial": "商业", "major_news": "重大事项"}
SET_NAMES = {"all": "全部留出", "feedback": "留出反馈", "real": "真实测试集",
             "synthetic": "合成留出"}


def _who(by: str | None) -> str:
    from .lexicon.store import default_user

    return by or default_user()


def _f(value) -> str:
    return "–" if value is None else f"{value:.3f}"


# -- model ----------------------------------------------------------------------------------
@model_app.command("train")
def model_train(
    as_json: JsonOption = False,
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="本地真实语料（`screener corpus build` 构建）； 默认为 corpus_dir "
                         "设置下已构建的语料， 没有则只用合成数据。")] = None,
    synthetic_only: Annotated[bool, typer.Option(
        "--synthetic-only", help="不用真实语料（发布的模型不是这样训练的）。")] = False,
    data: Annotated[Path | None, typer.Option(
        "--data", help="合成数据目录（train.jsonl、heldout.jsonl）； 默认 data/samples/corpus。")
    ] = None,
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """用发布语料加全部审核反馈训练候选模型， 与当前模型在同一留出数据上比较。

    打印两个模型各类别的阈值、精确率、召回率、F1， 以及分类器结论会改变的留出文本。 候选模型
    只登记， 不启用： 启用用 `screener model promote`。 相同数据得到相同的候选模型（同一版本）。
    """
    from .learning.candidate import train_candidate

    try:
        settings = settings_from(home)
        with err.status("训练候选模型（含交叉验证，约一两分钟）…"):
            candidate = train_candidate(settings, by=_who(by), corpus_dir=corpus,
                                        data_dir=data, synthetic_only=synthetic_only,
                                        progress=lambda m: err.print(m, markup=False))
    except ScreenerError as exc:
        raise fail(exc) from None
    data = candidate.to_json()
    if as_json:
        out.print(json.dumps(data, ensure_ascii=False), markup=False, soft_wrap=True)
        return
    entry = candidate.entry
    out.print(f"候选模型 {entry.number}（{entry.version}）"
              f"{'已登记' if candidate.new else '与已登记的模型相同，未重复登记'}；"
              f"与当前模型 {candidate.current} 比较：", markup=False)
    for line in comparison_lines(data["metrics"]):
        out.print(line, markup=False)
    changed, counts = data["changed"], data["changed_counts"]
    out.print(f"分类器结论会改变的留出文本 {len(changed)} 条：新增标记 {counts['newly_flagged']}，"
              f"不再标记 {counts['cleared']}；与标注一致 {counts['right']}，不一致 "
              f"{counts['wrong']}", markup=False)
    for item in changed[:20]:
        labels = "、".join(CLASS_NAMES[c] for c in item["labels"]) or "无"
        mark = {True: "✓", False: "✗", None: " "}[item["right"]]
        out.print(f"  {mark} {item['id']} [{SET_NAMES[item['set']]}，标注：{labels}] "
                  f"{VERDICTS[item['current']]} → {VERDICTS[item['candidate']]}  "
                  f"{item['text'][:40]}", markup=False)
    if len(changed) > 20:
        out.print(f"  …… 另有 {len(changed) - 20} 条（--json 列出全部）", markup=False)
    out.print(f"启用：screener model promote {entry.number} --by 姓名 --reason 理由", markup=False)


def comparison_lines(metrics: dict) -> list[str]:
    """One line per class and held-out set: threshold, P, R, F1 of both models."""
    current, candidate = metrics["current"], metrics["candidate"]
    lines = [f"{'类别':<6}{'数据':<8}{'正例':>6}  {'当前模型 阈值/P/R/F1':<28}  "
             "候选模型 阈值/P/R/F1"]
    for name, label in CLASS_NAMES.items():
        for which in ("all", *current["sets"]):
            a = (current["all"] if which == "all" else current["sets"][which])[name]
            b = (candidate["all"] if which == "all" else candidate["sets"][which])[name]
            if not a["positives"] and not (a["fp"] or b["fp"]):
                continue
            left = (f"{current['thresholds'][name]['review']:<6} {_f(a['precision'])} "
                    f"{_f(a['recall'])} {_f(a['f1'])}")
            right = (f"{candidate['thresholds'][name]['review']:<6} {_f(b['precision'])} "
                     f"{_f(b['recall'])} {_f(b['f1'])}")
            lines.append(f"{label:<6}{SET_NAMES[which]:<8}{a['positives']:>6}  {left:<28}  "
                         f"{right}")
    clean = [metrics[m]["all"].get("clean") for m in ("current", "candidate")]
    if clean[0]:
        lines.append(f"真实教育新闻与高校通知通过：当前 {clean[0]['of'] - clean[0]['not_passing']}/"
                     f"{clean[0]['of']}，候选 {clean[1]['of'] - clean[1]['not_passing']}/"
                     f"{clean[1]['of']}")
    return lines


@model_app.command("list")
def model_list(as_json: JsonOption = False, home: HomeOption = None) -> None:
    """列出所有模型： 0 为随软件发布的模型， 其余为候选模型； 标出正在使用的一个。"""
    from .classify import registry_for

    try:
        registry = registry_for(settings_from(home))
        in_force = registry.in_force()
        shipped = registry.shipped()
        entries = registry.versions()
    except ScreenerError as exc:
        raise fail(exc) from None
    rows = [{"number": 0, "version": shipped.version, "created_at": "", "created_by": "",
             "in_force": in_force.number == 0, "shipped": True}]
    for e in entries:
        rows.append({"number": e.number, "version": e.version, "created_at": e.created_at,
                     "created_by": e.created_by, "in_force": in_force.number == e.number,
                     "shipped": False, "feedback": e.summary.get("feedback", {}),
                     "brief": e.summary.get("brief", {}),
                     "compared_with": e.summary.get("compared_with", "")})
    if as_json:
        out.print(json.dumps({"in_force": in_force.version, "models": rows},
                             ensure_ascii=False), markup=False, soft_wrap=True)
        return
    table = Table("", "编号", "版本", "登记时间", "登记人", "训练反馈", "商业召回（当前→候选）")
    for row in rows:
        recall = ""
        brief = row.get("brief")
        if brief:
            recall = (f"{_f(brief['current']['commercial']['recall'])} → "
                      f"{_f(brief['candidate']['commercial']['recall'])}")
        feedback = row.get("feedback") or {}
        table.add_row("▶" if row["in_force"] else "", str(row["number"]), row["version"],
                      row["created_at"][:16].replace("T", " ") or "（随软件发布）",
                      row["created_by"], str(feedback.get("train", "")) if feedback else "",
                      recall)
    out.print(table)
    out.print(f"正在使用：{in_force.label}", markup=False)


@model_app.command("show")
def model_show(
    version: Annotated[str, typer.Argument(help="模型编号或版本（m-…）。", show_default=False)],
    home: HomeOption = None,
) -> None:
    """显示一个模型的模型卡， 并核对它的文件（被改动过的模型会被拒绝）。"""
    from .classify import registry_for
    from .classify.registry import check_files

    try:
        registry = registry_for(settings_from(home))
        ref = registry.resolve(version)
        check_files(ref)
        card = registry.card(ref)
    except ScreenerError as exc:
        raise fail(exc) from None
    out.print(card, markup=False)
    out.print(f"文件核对通过：{ref.folder}（manifest.json 中每个文件的 SHA-256 一致）",
              markup=False)


@model_app.command("promote")
def model_promote(
    version: Annotated[str, typer.Argument(help="要启用的模型编号或版本（m-…）。",
                                           show_default=False)],
    reason: Annotated[str, typer.Option(
        "--reason", "-r", help="为什么启用（必填， 记入审计日志）。")] = "",
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """启用一个模型： 下一篇草稿就用它审核（正在运行的服务在 lexicon_check_seconds 秒内改用）。"""
    from .classify import registry_for

    try:
        settings = settings_from(home)
        registry = registry_for(settings)
        change = _audited_change(settings, lambda conn: registry.promote(
            version, by=_who(by), reason=reason, conn=conn))
    except ScreenerError as exc:
        raise fail(exc) from None
    _announce(change)


@model_app.command("rollback")
def model_rollback(
    reason: Annotated[str, typer.Option(
        "--reason", "-r", help="为什么回退（必填， 记入审计日志）。")] = "",
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """回到上一次启用之前使用的模型。"""
    from .classify import registry_for

    try:
        settings = settings_from(home)
        registry = registry_for(settings)
        change = _audited_change(settings, lambda conn: registry.rollback(
            by=_who(by), reason=reason, conn=conn))
    except ScreenerError as exc:
        raise fail(exc) from None
    _announce(change)


def _audited_change(settings, make):
    """The change, made by the review service with its audit row when this state folder has a
    service database (in one transaction when it is the registry's database), else alone."""
    change = hooks().change_model(settings=settings, make=make)
    return make(None) if change is None else change


def _announce(change) -> None:
    verb = "启用" if change.action == "promote" else "回退到"
    out.print(f"已{verb}模型 {change.number}（{change.version}），之前为 {change.previous_number}"
              f"（{change.previous_version}）。运行 `screener rescreen --incremental` 用它重新审核"
              "已发布内容（模型变了的帖子全部重审）。", markup=False)


# -- feedback ---------------------------------------------------------------------------------
@feedback_app.command("import")
def feedback_import(
    file: Annotated[Path, typer.Argument(
        help='JSON Lines 文件， 每行 {"title": …, "body": …, "label": …}； label 为 commercial、'
             "confidential、major_news、illegal、unhealthy 或 none。", show_default=False)],
    by: ByOption = None,
    home: HomeOption = None,
) -> None:
    """导入已标注的文本作为审核反馈。 有问题的行逐行指出（文件:行号: 原因）并跳过， 其余照常导入；
    同一内容（标题、正文、标注）只记一次， 重复导入不会重复记录。"""
    from .feedback import read_import, store_for

    try:
        settings = settings_from(home)
        parsed = read_import(file, settings, reviewer=_who(by))
        rows = list(parsed.rows)
        summary = {"file": file.name, "sha256": hashlib.sha256(file.read_bytes()).hexdigest(),
                   "lines": parsed.lines, "bad_lines": len(parsed.bad)}
        # With a service database the rows and their audit row commit together.
        added = hooks().import_feedback(settings=settings, rows=rows, summary=summary)
        if added is None:
            added = store_for(settings).add(rows)
    except ScreenerError as exc:
        raise fail(exc) from None
    for bad in parsed.bad:
        err.print(str(bad), markup=False)
    known = len(parsed.rows) - added
    out.print(f"读取 {parsed.lines} 行：新增反馈 {added} 条，已有（此前导入过）{known} 条，"
              f"有问题跳过 {len(parsed.bad)} 行", markup=False)
    if parsed.bad:
        raise typer.Exit(30)


@feedback_app.command("summary")
def feedback_summary(as_json: JsonOption = False, home: HomeOption = None) -> None:
    """按类别、按周统计审核反馈（确认、误报、漏报、导入）。"""
    from .feedback import store_for
    from .feedback.summary import weekly

    try:
        rows = store_for(settings_from(home)).rows()
    except ScreenerError as exc:
        raise fail(exc) from None
    summary = weekly(rows)
    if as_json:
        out.print(json.dumps(summary, ensure_ascii=False), markup=False, soft_wrap=True)
        return
    table = Table("周（周一）", "类别", "确认", "误报", "漏报", "导入")
    for row in summary["weeks"]:
        table.add_row(row["week"], row["category"], str(row["confirmed"]),
                      str(row["false_alarm"]), str(row["missed"]), str(row["imported"]))
    out.print(table)
    out.print(f"共 {summary['rows']} 条反馈，涉及 {summary['texts']} 篇文本", markup=False)
