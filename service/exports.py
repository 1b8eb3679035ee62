"""The statistics' tables as files: CSV (one table) and Excel (every table, a sheet each).

Headings and codes are written as people read them (类别 违法违规, 平台 微信, Beijing times),
numbers stay numbers (a dismissal rate is a fraction, shown as a percentage in Excel). CSV is
UTF-8 with a byte-order mark, so Excel opens the Chinese as Chinese. Excel files are written by
openpyxl.
"""

from __future__ import annotations

import csv
import gettext
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from screener.i18n import N_
from screener.labels import CATEGORY, PLATFORM, label

from .templating import beijing

# The sheets' names (Excel allows 31 characters), msgids of the service catalog.
SHEETS = {"weekly": N_("By week"), "accounts": N_("By account"),
          "categories": N_("By category"), "terms": N_("Top terms"),
          "inactive": N_("Inactive accounts")}


def _cell(key: str, value: Any, tr: gettext.NullTranslations) -> Any:
    if value is None:
        return ""
    if key == "category":
        return label(CATEGORY, str(value), tr)
    if key == "platform":
        return label(PLATFORM, str(value), tr)
    if key == "last_post":
        return beijing(value)
    return value


def header(columns: tuple[tuple[str, str], ...], tr: gettext.NullTranslations) -> list[str]:
    return [tr.gettext(name) for _, name in columns]


def cells(columns: tuple[tuple[str, str], ...], rows: list[dict[str, Any]],
          tr: gettext.NullTranslations) -> list[list[Any]]:
    keys = [key for key, _ in columns]
    return [[_cell(key, row.get(key), tr) for key in keys] for row in rows]


def to_csv(columns: tuple[tuple[str, str], ...], rows: list[dict[str, Any]],
           tr: gettext.NullTranslations) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(columns, tr))
    writer.writerows(cells(columns, rows, tr))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: dict[str, list[dict[str, Any]]],
            columns: dict[str, tuple[tuple[str, str], ...]], tr: gettext.NullTranslations,
            title: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(tr.gettext(SHEETS[name])[:31])
        sheet.append(header(columns[name], tr))
        for row in cells(columns[name], rows, tr):
            sheet.append(row)
        keys = [key for key, _ in columns[name]]
        if "dismissal_rate" in keys:
            letter = get_column_letter(keys.index("dismissal_rate") + 1)
            for cell in sheet[letter][1:]:
                cell.number_format = "0.0%"
        for index, heading in enumerate(header(columns[name], tr), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(heading))
        sheet.freeze_panes = "A2"
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["SHEETS", "cells", "header", "to_csv", "to_xlsx"]
