import math
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# The columns of a result row (JSON key or file column).
RESULT_KEYS = ("lot", "product", "test", "question", "value", "unit", "date", "lab_ref")
REQUIRED_KEYS = ("lot", "product", "test", "question", "value", "date", "lab_ref")
# Bounds of one import (system parameters, these defaults when unset): a file or call
# past them is refused before it costs the server more than reading that far.
IMPORT_BOUNDS = {
    "max_bytes": ("med_integration.lims_import_max_bytes", 5 * 1024 * 1024),
    "max_rows": ("med_integration.lims_import_max_rows", 5000),
    "max_columns": ("med_integration.lims_import_max_columns", 30),
}
# How many years before the lot was recorded a result may be dated (a sample taken
# from a supplier's batch before the lot was entered here).
RESULT_DATE_MARGIN_YEARS = 1


class MedLimsImport(models.AbstractModel):
    """Results from an external laboratory (LIMS), for lots: checked all together
    first, then recorded as quality_control_oca inspections (one per lot, test
    and lab reference), all or nothing. A failed result fails its inspection, and
    the CAPA rules of a failed inspection run as for one recorded by hand."""

    _name = "med.lims.import"
    _description = "LIMS Results Import"

    @api.model
    def med_api_import_results(self, results):
        """Import ``results``: a list of dicts with the keys of ``RESULT_KEYS``
        (row numbers in errors count from 1). Returns the inspections created."""
        if not isinstance(results, list) or not results:
            raise UserError(self.env._("Send a non-empty list of results."))
        limit = self._med_bounds()["max_rows"]
        if len(results) > limit:
            raise UserError(
                self.env._(
                    "%(count)s results in one call; at most %(limit)s (system "
                    "parameter %(parameter)s). Send them in several calls. Nothing "
                    "was imported.",
                    count=len(results),
                    limit=limit,
                    parameter=IMPORT_BOUNDS["max_rows"][0],
                )
            )
        return self._med_import(list(enumerate(results, start=1)))

    @api.model
    def _med_bounds(self):
        """{bound: value} of ``IMPORT_BOUNDS``, a positive integer each."""
        # sudo: the bounds are settings every importing user is subject to.
        params = self.env["ir.config_parameter"].sudo()
        bounds = {}
        for name, (key, default) in IMPORT_BOUNDS.items():
            try:
                value = int(params.get_param(key, default))
            except ValueError:
                value = default
            bounds[name] = value if value > 0 else default
        return bounds

    @api.model
    def _med_import(self, numbered_rows):
        """Check and import ``numbered_rows`` [(row number, dict)]."""
        self.env["qc.inspection"].check_access("create")
        groups = self._med_check(numbered_rows)
        # A savepoint: a failure half-way leaves no inspection behind, even when
        # the caller catches the error and goes on.
        with self.env.cr.savepoint():
            inspections = self._med_record(groups)
        return [
            {
                "id": inspection.id,
                "name": inspection.name,
                "lot": inspection.lot_id.name,
                "test": inspection.test.name,
                "lab_ref": inspection.med_lab_ref,
                "state": inspection.state,
                "success": inspection.success,
            }
            for inspection in inspections
        ]

    # -- checks --
    @api.model
    def _med_check(self, numbered_rows):
        """Every row checked against the lots, tests, answers and units of the
        database; raise one error listing every problem with its row number, or
        return {(lot, test, lab ref): [(row number, question, result)]}."""
        errors = []

        def error(number, message):
            errors.append(
                self.env._("row %(row)s: %(message)s", row=number, message=message)
            )

        rows = []
        for number, row in numbered_rows:
            if not isinstance(row, dict):
                error(number, self.env._("a result must be an object"))
                continue
            # A numeric 0 (or 0.0) is a value, not a missing one.
            row = {
                key: str(value).strip()
                for key, value in row.items()
                if value is not None and value is not False and value != ""
            }
            unknown = set(row) - set(RESULT_KEYS)
            if unknown:
                error(
                    number,
                    self.env._(
                        "unknown columns %(columns)s",
                        columns=", ".join(sorted(unknown)),
                    ),
                )
            missing = [key for key in REQUIRED_KEYS if not row.get(key)]
            if missing:
                error(number, self.env._("missing %(keys)s", keys=", ".join(missing)))
                continue
            rows.append((number, row))
        lookups = self._med_lookups([row for _number, row in rows])
        groups = defaultdict(list)
        seen = {}
        for number, row in rows:
            raw_key = tuple(
                row[key] for key in ("lot", "product", "test", "question", "lab_ref")
            )
            first = seen.setdefault(raw_key, number)
            if first != number:
                error(
                    number,
                    self.env._(
                        "duplicate of row %(first)s (lot %(lot)s, question "
                        "%(question)s, lab reference %(ref)s)",
                        first=first,
                        lot=row["lot"],
                        question=row["question"],
                        ref=row["lab_ref"],
                    ),
                )
                continue
            problems = []
            result = self._med_check_row(row, lookups, problems)
            for problem in problems:
                error(number, problem)
            if problems:
                continue
            lot, test, question = result["lot"], result["test"], result["question"]
            key = (lot, test, row["lab_ref"])
            groups[key].append((number, question, result))
        for (lot, test, lab_ref), answers in groups.items():
            numbers = ", ".join(str(number) for number, _q, _r in answers)
            missing = test.test_lines - self.env["qc.test.question"].union(
                *(question for _n, question, _r in answers)
            )
            if missing:
                errors.append(
                    self.env._(
                        "rows %(rows)s: lot %(lot)s, test %(test)s lacks the results "
                        "of %(questions)s",
                        rows=numbers,
                        lot=lot.name,
                        test=test.name,
                        questions=", ".join(missing.mapped("name")),
                    )
                )
            if lab_ref in lookups["imported"].get((lot.id, test.id), ()):
                errors.append(
                    self.env._(
                        "rows %(rows)s: lab reference %(ref)s of lot %(lot)s, test "
                        "%(test)s is already imported (duplicate)",
                        rows=numbers,
                        ref=lab_ref,
                        lot=lot.name,
                        test=test.name,
                    )
                )
        if errors:
            raise UserError(
                self.env._(
                    "Nothing was imported: %(count)s problems:\n%(errors)s",
                    count=len(errors),
                    errors="\n".join(errors),
                )
            )
        return groups

    @api.model
    def _med_lookups(self, rows):
        """The records the rows name, each kind read in one search."""
        refs = {row["product"] for row in rows}
        products = self.env["product.product"].search(
            ["|", ("default_code", "in", list(refs)), ("name", "in", list(refs))]
        )
        by_ref = defaultdict(lambda: products.browse())
        for product in products:
            for ref in {product.default_code, product.name} & refs:
                by_ref[ref] |= product
        lots = self.env["stock.lot"].search(
            [
                ("name", "in", list({row["lot"] for row in rows})),
                ("product_id", "in", products.ids),
            ]
        )
        tests = self.env["qc.test"].search(
            [("name", "in", list({row["test"] for row in rows}))]
        )
        units = self.env["uom.uom"].search(
            [("name", "in", list({row["unit"] for row in rows if row.get("unit")}))]
        )
        imported = defaultdict(set)
        for inspection in self.env["qc.inspection"].search(
            [
                ("med_lab_ref", "in", list({row["lab_ref"] for row in rows})),
                ("lot_id", "in", lots.ids),
                ("state", "!=", "canceled"),
            ]
        ):
            imported[(inspection.lot_id.id, inspection.test.id)].add(
                inspection.med_lab_ref
            )
        return {
            "products": by_ref,
            "lots": {(lot.name, lot.product_id): lot for lot in lots},
            "tests": {test.name: test for test in tests},
            "units": {unit.name: unit for unit in units},
            "imported": imported,
        }

    @api.model
    def _med_check_row(self, row, lookups, problems):
        """The lot, test, question and value of one row; problems appended to
        ``problems``."""
        products = lookups["products"][row["product"]]
        lot = None
        if len(products) > 1:
            problems.append(
                self.env._("product %(product)s is ambiguous", product=row["product"])
            )
        elif not products:
            problems.append(
                self.env._("unknown product %(product)s", product=row["product"])
            )
        else:
            lot = lookups["lots"].get((row["lot"], products))
            if not lot:
                problems.append(
                    self.env._(
                        "unknown lot %(lot)s of %(product)s",
                        lot=row["lot"],
                        product=products.display_name,
                    )
                )
        test = lookups["tests"].get(row["test"])
        question = None
        if not test:
            problems.append(self.env._("unknown test %(test)s", test=row["test"]))
        else:
            question = test.test_lines.filtered(lambda q: q.name == row["question"])[:1]
            if not question:
                problems.append(
                    self.env._(
                        "test %(test)s has no question %(question)s",
                        test=test.name,
                        question=row["question"],
                    )
                )
        result = {"lot": lot, "test": test, "question": question}
        try:
            day = fields.Date.to_date(row["date"][:10])
        except ValueError:
            day = None
        if not day:
            problems.append(
                self.env._("date %(date)s is not YYYY-MM-DD", date=row["date"])
            )
        elif day > fields.Date.context_today(self):
            problems.append(
                self.env._("date %(date)s is in the future", date=row["date"])
            )
        elif lot and day < self._med_earliest_result_date(lot):
            problems.append(
                self.env._(
                    "date %(date)s is before %(earliest)s: lot %(lot)s was recorded "
                    "on %(created)s, and a result may be dated at most %(years)s "
                    "year(s) earlier",
                    date=row["date"],
                    earliest=self._med_earliest_result_date(lot),
                    lot=lot.name,
                    created=lot.create_date.date(),
                    years=RESULT_DATE_MARGIN_YEARS,
                )
            )
        result["date"] = day
        if question:
            if question.type == "qualitative":
                self._med_check_answer(row, question, result, problems)
            else:
                self._med_check_measure(row, question, lookups, result, problems)
        return result

    @api.model
    def _med_earliest_result_date(self, lot):
        created = lot.create_date.date()
        return created.replace(year=created.year - RESULT_DATE_MARGIN_YEARS, day=1)

    @api.model
    def _med_check_answer(self, row, question, result, problems):
        if row.get("unit"):
            problems.append(
                self.env._(
                    "unit mismatch: %(question)s is qualitative and takes no unit "
                    "(got %(unit)s)",
                    question=question.name,
                    unit=row["unit"],
                )
            )
        answer = question.ql_values.filtered(lambda v: v.name == row["value"])[:1]
        if not answer:
            problems.append(
                self.env._(
                    "out of range: %(value)s is not an answer of %(question)s "
                    "(answers: %(answers)s)",
                    value=row["value"],
                    question=question.name,
                    answers=", ".join(question.ql_values.mapped("name")),
                )
            )
        result["answer"] = answer

    @api.model
    def _med_check_measure(self, row, question, lookups, result, problems):
        try:
            value = float(row["value"].replace(",", "."))
        except ValueError:
            value = None
        if value is None or not math.isfinite(value):
            value = None
            problems.append(
                self.env._(
                    "out of range: %(value)s is not a number", value=row["value"]
                )
            )
        unit = lookups["units"].get(row.get("unit") or "")
        expected = question.uom_id
        if not expected:
            problems.append(
                self.env._(
                    "unit mismatch: question %(question)s has no unit in its test; "
                    "a quality manager sets it first",
                    question=question.name,
                )
            )
        elif not unit:
            problems.append(
                self.env._(
                    "unit mismatch: %(unit)s is not a known unit (expected "
                    "%(expected)s)",
                    unit=row.get("unit") or "-",
                    expected=expected.name,
                )
            )
        elif unit.category_id != expected.category_id:
            problems.append(
                self.env._(
                    "unit mismatch: %(unit)s cannot be converted to %(expected)s",
                    unit=unit.name,
                    expected=expected.name,
                )
            )
        result.update(value=value, unit=unit)

    # -- recording --
    @api.model
    def _med_lock_tests(self, tests):
        """Serialize the imports of results of ``tests``: the check that a lab
        reference is not imported yet read the inspections of this transaction's
        snapshot (REPEATABLE READ). Writing the tests' rows makes an import that
        started before another one committed fail with a serialization error, which
        Odoo retries; the retry finds the lab reference imported and refuses."""
        # A write, not a lock: only a concurrent update fails the later transaction.
        self.env.cr.execute(
            SQL(
                "UPDATE qc_test SET write_date = write_date WHERE id = ANY(%s)",
                sorted(test.id for test in tests),
            )
        )

    @api.model
    def _med_record(self, groups):
        Inspection = self.env["qc.inspection"]
        inspections = Inspection.browse()
        self._med_lock_tests({test for _lot, test, _ref in groups})
        for (lot, test, lab_ref), answers in groups.items():
            inspection = Inspection.create(
                {
                    "object_id": f"stock.lot,{lot.id}",
                    "test": test.id,
                    "date": max(result["date"] for _n, _q, result in answers),
                    "inspection_lines": Inspection._prepare_inspection_lines(test),
                    "internal_notes": self.env._(
                        "Imported from the laboratory (LIMS), reference %(ref)s.",
                        ref=lab_ref,
                    ),
                }
            )
            # The import alone sets the lab reference (see qc.inspection).
            inspection._med_protected_write().write({"med_lab_ref": lab_ref})
            by_question = {question: result for _n, question, result in answers}
            for line in inspection.inspection_lines:
                result = by_question[line.test_line]
                if line.question_type == "qualitative":
                    line.qualitative_value = result["answer"]
                else:
                    line.write(
                        {
                            "quantitative_value": result["value"],
                            "uom_id": result["unit"].id,
                        }
                    )
            inspections |= inspection
        inspections.action_todo()
        inspections.action_confirm()
        # Lab results are final: a QC manager's import approves the failures at
        # once (the CAPA rules run now); an inspector's waits for that approval,
        # as a failure recorded by hand does.
        waiting = inspections.filtered(lambda i: i.state == "waiting")
        if waiting and self.env.user.has_group(
            "quality_control_oca.group_quality_control_manager"
        ):
            waiting.action_approve()
        return inspections
