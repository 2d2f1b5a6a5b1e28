"""Writes the suite's spreadsheet dashboards (data/files/*_dashboard.json).

The JSON files are what Odoo loads; this script is their source: edit it and run
``python addons/med_dashboard/tools/build_dashboards.py``. Chart titles and the ``_t``
texts are extracted by Odoo's translation export (file names end in
``_dashboard.json``) and translated in i18n/zh_CN.po.
"""

import json
from pathlib import Path

FILES = Path(__file__).resolve().parent.parent / "data" / "files"
WIDTH = 1000
HALF = 490
CHART_HEIGHT = 300
CARD_HEIGHT = 108
GAP = 20
OPEN_RECALL_STATES = ["draft", "launched"]


class Dashboard:
    """One dashboard sheet: scorecards on top, then charts two by two, then lists
    laid out in cells below the charts."""

    def __init__(self):
        self.figures = []
        self.cells = {}
        self.data_cells = {}
        self.pivots = {}
        self.lists = {}
        self.y = 10
        self.row_charts = []

    # -- figures -------------------------------------------------------------------
    def scorecards(self, cards):
        """``cards``: (title, model, domain, measure) counted by a pivot."""
        width = (WIDTH - GAP * (len(cards) - 1)) // len(cards)
        for position, (title, model, domain, measure) in enumerate(cards):
            pivot_id = str(len(self.pivots) + 1)
            self.pivots[pivot_id] = {
                "type": "ODOO",
                "model": model,
                "domain": domain,
                "context": {},
                "measures": [{"id": measure, "fieldName": measure}],
                "rows": [],
                "columns": [],
                "name": title,
                "formulaId": pivot_id,
                "sortedColumn": None,
                "fieldMatching": {},
            }
            row = len(self.data_cells) // 2 + 1
            self.data_cells[f"A{row}"] = {"content": title}
            self.data_cells[f"B{row}"] = {
                "content": f'=PIVOT.VALUE({pivot_id},"{measure}")'
            }
            self.figures.append(
                {
                    "id": f"card{len(self.figures) + 1}",
                    "x": position * (width + GAP),
                    "y": self.y,
                    "width": width,
                    "height": CARD_HEIGHT,
                    "tag": "chart",
                    "data": {
                        "type": "scorecard",
                        "title": {"text": title, "bold": True, "color": "#434343"},
                        "keyValue": f"Data!B{row}",
                        "baseline": "",
                        "baselineMode": "text",
                        "baselineColorDown": "#E06666",
                        "baselineColorUp": "#6AA84F",
                        "background": "#EFF6FF",
                        "humanize": False,
                    },
                }
            )
        self.y += CARD_HEIGHT + GAP

    def chart(self, title, model, group_by, domain=None, measure="__count", **kind):
        """A graph of ``model`` grouped by ``group_by`` (one or two fields); two per
        row. ``kind``: mode ("bar", "line" or "pie") and stacked."""
        mode = kind.get("mode", "bar")
        data = {
            "type": f"odoo_{mode}",
            "title": {"text": title},
            "background": "#FFFFFF",
            "legendPosition": "top",
            "metaData": {
                "groupBy": group_by,
                "measure": measure,
                "order": None,
                "resModel": model,
                "mode": mode,
            },
            "searchParams": {
                "comparison": None,
                "context": {},
                "domain": domain or [],
                "groupBy": group_by,
                "orderBy": [],
            },
            "fieldMatching": {},
        }
        if mode != "pie":
            data["stacked"] = kind.get("stacked", True)
            data["verticalAxisPosition"] = "left"
        x = 0 if not self.row_charts else HALF + GAP
        self.figures.append(
            {
                "id": f"chart{len(self.figures) + 1}",
                "x": x,
                "y": self.y,
                "width": HALF,
                "height": CHART_HEIGHT,
                "tag": "chart",
                "data": data,
            }
        )
        self.row_charts.append(title)
        if len(self.row_charts) == 2:
            self.y += CHART_HEIGHT + GAP
            self.row_charts = []

    def table(self, title, model, columns, domain=None, order=None, rows=10):
        """A list of ``model`` in cells, with a title line and a header line."""
        if self.row_charts:
            self.y += CHART_HEIGHT + GAP
            self.row_charts = []
        list_id = str(len(self.lists) + 1)
        self.lists[list_id] = {
            "id": list_id,
            "name": title,
            "model": model,
            "columns": columns,
            "domain": domain or [],
            "context": {},
            "orderBy": [{"name": name, "asc": asc} for name, asc in order or []],
            "fieldMatching": {},
        }
        first = self._first_free_row()
        self.cells[f"A{first}"] = {"content": f'=_t("{title}")', "style": 1}
        for column, field in zip(COLUMNS, columns, strict=False):
            self.cells[f"{column}{first + 1}"] = {
                "content": f'=ODOO.LIST.HEADER({list_id},"{field}")',
                "style": 2,
            }
            for row in range(rows):
                self.cells[f"{column}{first + 2 + row}"] = {
                    "content": f'=ODOO.LIST({list_id},{row + 1},"{field}")'
                }

    def _first_free_row(self):
        figure_rows = self.y // ROW_HEIGHT + 2
        used = [int(name[1:]) for name in self.cells]
        return max([figure_rows, *(row + 2 for row in used)])

    # -- output --------------------------------------------------------------------
    def snapshot(self):
        last_row = max([int(name[1:]) for name in self.cells] or [1])
        return {
            "version": 21,
            "odooVersion": 12,
            "sheets": [
                {
                    "id": "dashboard",
                    "name": "Dashboard",
                    "colNumber": len(COLUMNS),
                    "rowNumber": max(last_row + 5, self.y // ROW_HEIGHT + 5),
                    "rows": {},
                    "cols": {str(i): {"size": 140} for i in range(len(COLUMNS))},
                    "merges": [],
                    "cells": self.cells,
                    "conditionalFormats": [],
                    "figures": self.figures,
                    "tables": [],
                    "areGridLinesVisible": False,
                    "isVisible": True,
                    "headerGroups": {"ROW": [], "COL": []},
                    "dataValidationRules": [],
                    "comments": {},
                },
                {
                    "id": "data",
                    "name": "Data",
                    "colNumber": 2,
                    "rowNumber": max(len(self.data_cells) // 2 + 1, 10),
                    "rows": {},
                    "cols": {"0": {"size": 260}},
                    "merges": [],
                    "cells": self.data_cells,
                    "conditionalFormats": [],
                    "figures": [],
                    "tables": [],
                    "areGridLinesVisible": True,
                    "isVisible": False,
                    "headerGroups": {"ROW": [], "COL": []},
                    "dataValidationRules": [],
                    "comments": {},
                },
            ],
            "styles": {
                "1": {"bold": True, "fontSize": 14, "textColor": "#01666B"},
                "2": {"bold": True, "fillColor": "#E6F2F3"},
            },
            "formats": {},
            "borders": {},
            "revisionId": "START_REVISION",
            "uniqueFigureIds": True,
            "settings": {},
            "pivots": self.pivots,
            "pivotNextId": len(self.pivots) + 1,
            "lists": self.lists,
            "listNextId": len(self.lists) + 1,
            "globalFilters": [],
            "chartOdooMenusReferences": {},
            "customTableStyles": {},
        }


COLUMNS = "ABCDEFG"
ROW_HEIGHT = 23
LOTS = "med.lot.status.report"
NCS = "med.nc.trend.report"
CAPAS = "med.capa.age.report"
CERTIFICATES = "med.certificate.expiry.report"
QUARANTINE = [["med_state", "=", "quarantine"]]
ON_HOLD = [["med_state", "=", "hold"]]
OPEN = [["is_open", "=", True]]
EXPIRING = [["expiry_window", "in", ["d30", "d60", "d90"]]]
RELEASED = [["med_release_date", "!=", False]]
LOT = "stock.lot"
RECALL_REPORTS = "med.recall.report"
SERVICING = "med.servicing.trend.report"
OVERDUE = [["is_overdue", "=", True]]


def _open_recalls(board):
    board.table(
        "Open recalls",
        "med.recall",
        [
            "name",
            "title",
            "state",
            "date_launched",
            "reached_percent",
            "recovered_percent",
            "outstanding_qty",
        ],
        domain=[["state", "in", OPEN_RECALL_STATES]],
        order=[("date_discovered", False)],
    )


def _complaint_deadlines(board):
    board.table(
        "Complaints to report to the authorities",
        "med.complaint",
        [
            "name",
            "partner_id",
            "product_id",
            "event_category",
            "date_nmpa_deadline",
            "date_fda_deadline",
            "date_eu_deadline",
            "date_report_deadline",
            "report_overdue",
        ],
        domain=[["reportable", "=", "yes"], ["date_report_submitted", "=", False]],
        order=[("date_report_deadline", True)],
    )


def _recall_report_deadlines(board):
    board.table(
        "Recall reports due to the authorities",
        RECALL_REPORTS,
        ["recall_id", "kind", "date_deadline", "is_overdue"],
        domain=[["state", "=", "to_submit"]],
        order=[("date_deadline", True)],
    )


def _chain_verifications(board, rows):
    board.table(
        "Last audit trail verifications",
        "med.audit.verification",
        ["date", "state", "full", "entry_count", "signature_count", "user_id"],
        order=[("date", False)],
        rows=rows,
    )


def _lots_awaiting_and_held(board):
    board.chart(
        "Lots awaiting release by age", LOTS, ["age_bucket", "product_id"], QUARANTINE
    )
    board.chart(
        "Lots on hold by source", LOTS, ["med_hold_source"], ON_HOLD, mode="pie"
    )


def qa_manager():
    board = Dashboard()
    board.scorecards(
        [
            ("Lots awaiting release", LOTS, QUARANTINE, "__count"),
            ("Lots on hold", LOTS, ON_HOLD, "__count"),
            ("Open nonconformances", NCS, OPEN, "__count"),
            ("Open CAPAs", CAPAS, OPEN, "__count"),
            ("Overdue CAPA actions", CAPAS, OPEN, "overdue_action_count"),
            ("Certificates expiring in 90 days", CERTIFICATES, EXPIRING, "__count"),
            ("Overdue recall reports", RECALL_REPORTS, OVERDUE, "__count"),
        ]
    )
    _lots_awaiting_and_held(board)
    board.chart(
        "Open nonconformances by age and severity",
        NCS,
        ["age_bucket", "severity"],
        OPEN,
    )
    board.chart(
        "Open CAPAs by age and severity", CAPAS, ["age_bucket", "severity"], OPEN
    )
    board.chart(
        "Open nonconformances by supplier", NCS, ["partner_id", "severity"], OPEN
    )
    board.chart(
        "Open nonconformances by product", NCS, ["product_id", "severity"], OPEN
    )
    board.chart(
        "Certificates expiring in 30, 60 and 90 days",
        CERTIFICATES,
        ["expiry_window", "partner_id"],
        EXPIRING,
    )
    board.chart(
        "Hours to release per product and month",
        LOT,
        ["med_release_date:month", "product_id"],
        RELEASED,
        measure="med_release_hours",
        mode="line",
        stacked=False,
    )
    board.chart("Nonconformance trend per supplier", NCS, ["date:month", "partner_id"])
    board.chart("Nonconformance trend per product", NCS, ["date:month", "product_id"])
    # 21 CFR 820.35(b), ISO 13485 8.4: servicing data analysed for trends
    board.chart(
        "Repairs per month and failure category",
        SERVICING,
        ["month:month", "failure_category"],
        measure="repair_count",
    )
    board.chart(
        "Repairs per product and failure category",
        SERVICING,
        ["product_id", "failure_category"],
        measure="repair_count",
    )
    board.table(
        "Overdue CAPA actions",
        "med.capa.action",
        ["capa_id", "name", "action_type", "user_id", "date_deadline"],
        domain=[["is_overdue", "=", True]],
        order=[("date_deadline", True)],
    )
    _open_recalls(board)
    _recall_report_deadlines(board)
    _complaint_deadlines(board)
    _chain_verifications(board, rows=3)
    return board


def warehouse():
    board = Dashboard()
    board.scorecards(
        [
            ("Lots awaiting release", LOTS, QUARANTINE, "__count"),
            ("Lots on hold", LOTS, ON_HOLD, "__count"),
            ("Certificates expiring in 90 days", CERTIFICATES, EXPIRING, "__count"),
        ]
    )
    _lots_awaiting_and_held(board)
    board.table(
        "Lots waiting for release",
        LOTS,
        ["lot_id", "product_id", "date_recorded", "age_days"],
        domain=QUARANTINE,
        order=[("date_recorded", True)],
    )
    board.table(
        "Lots on hold",
        LOTS,
        ["lot_id", "product_id", "med_hold_source", "date_recorded"],
        domain=ON_HOLD,
        order=[("date_recorded", True)],
    )
    board.table(
        "Supplier certificates expiring in 90 days",
        CERTIFICATES,
        ["certificate_id", "partner_id", "type_id", "expiry_date", "days_left"],
        domain=EXPIRING,
        order=[("expiry_date", True)],
    )
    return board


def auditor():
    board = Dashboard()
    board.scorecards(
        [
            ("Nonconformances", NCS, [], "__count"),
            ("Open CAPAs", CAPAS, OPEN, "__count"),
            ("Lots released", LOT, RELEASED, "__count"),
            ("Average hours to release", LOT, RELEASED, "med_release_hours"),
        ]
    )
    board.chart("Nonconformance trend per supplier", NCS, ["date:month", "partner_id"])
    board.chart("Nonconformance trend per product", NCS, ["date:month", "product_id"])
    board.chart("CAPAs by status and severity", CAPAS, ["state", "severity"])
    board.chart(
        "Hours to release per product and month",
        LOT,
        ["med_release_date:month", "product_id"],
        RELEASED,
        measure="med_release_hours",
        mode="line",
        stacked=False,
    )
    _chain_verifications(board, rows=5)
    _open_recalls(board)
    _recall_report_deadlines(board)
    _complaint_deadlines(board)
    return board


DASHBOARDS = {
    "qa_manager_dashboard.json": qa_manager,
    "warehouse_dashboard.json": warehouse,
    "auditor_dashboard.json": auditor,
}


def main():
    for name, build in DASHBOARDS.items():
        text = json.dumps(build().snapshot(), indent=1, ensure_ascii=False)
        (FILES / name).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
