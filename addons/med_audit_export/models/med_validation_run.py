import base64
import hashlib
import io
import json
import zipfile
from pathlib import PurePosixPath

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import frozendict

from .med_signable_mixin import QA_MANAGER

MANIFEST = "manifest.json"
REQUIRED_FILES = (
    "iq.json",
    "oq.json",
    "rtm.json",
    "rtm.csv",
    "rtm.xlsx",
    "deviations.json",
    "summary.pdf",
)
# A package of setup/validate.sh is a few MB; anything far bigger is not one.
MAX_PACKAGE_BYTES = 200 << 20
DEVIATIONS_SHOWN = 200


class MedValidationRun(models.Model):
    """A validation package of setup/validate.sh (IQ, OQ, traceability matrix,
    deviations, summary), imported with its files as evidence and approved by a QA
    manager with an electronic signature (21 CFR 11.10(a), EU GMP Annex 11 §4)."""

    _name = "med.validation.run"
    _description = "Validation Run"
    _inherit = ("mail.thread", "med.signable.mixin")
    _med_signature_actions = frozendict({"_med_do_approve": ("approval", QA_MANAGER)})
    _mail_post_access = "read"
    _order = "id desc"

    name = fields.Char(string="Package", readonly=True, required=True)
    company_id = fields.Many2one(
        "res.company", readonly=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Imported By",
        readonly=True,
        default=lambda self: self.env.user,
    )
    date_import = fields.Datetime(
        string="Imported On", readonly=True, default=fields.Datetime.now
    )
    date_generated = fields.Char(string="Generated (UTC)", readonly=True)
    commit = fields.Char(readonly=True)
    tree_changes = fields.Boolean(
        string="Modified Work Tree",
        readonly=True,
        help="The tests ran on changes not committed: the package is not the commit's.",
    )
    database_name = fields.Char(string="Database Validated", readonly=True)
    manifest_sha256 = fields.Char(string="Manifest SHA-256", readonly=True)
    test_passed = fields.Integer(string="Tests Passed", readonly=True)
    test_failed = fields.Integer(string="Tests Failed", readonly=True)
    test_error = fields.Integer(string="Tests in Error", readonly=True)
    test_skipped = fields.Integer(string="Tests Skipped", readonly=True)
    requirement_met = fields.Integer(string="Requirements Met", readonly=True)
    requirement_partial = fields.Integer(
        string="Requirements Partially Met", readonly=True
    )
    requirement_not_met = fields.Integer(string="Requirements Not Met", readonly=True)
    high_risk_not_met = fields.Integer(
        string="High-Risk Requirements Not Met", readonly=True
    )
    deviation_count = fields.Integer(string="Deviations", readonly=True)
    deviation_note = fields.Text(string="Deviation List", readonly=True)
    file_ids = fields.One2many(
        "med.validation.file", "run_id", string="Files", readonly=True
    )
    state = fields.Selection(
        [("imported", "To Approve"), ("approved", "Approved")],
        default="imported",
        readonly=True,
        required=True,
    )
    approved_by_id = fields.Many2one("res.users", readonly=True)
    date_approved = fields.Datetime(string="Approved On", readonly=True)

    # Two imports of one package at the same moment: the second fails here.
    _sql_constraints = (
        (
            "manifest_sha256_unique",
            "unique(manifest_sha256)",
            "This validation package was imported already.",
        ),
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._med_trusted():
            raise UserError(
                self.env._(
                    "A validation run is created by importing a validation package, "
                    "whose files are checked against their SHA-256."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self._med_trusted() and set(vals) - {"med_change_reason"}:
            raise UserError(
                self.env._(
                    "A validation run is evidence: it is not edited. Import a new "
                    "package instead."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_evidence(self):
        raise UserError(
            self.env._(
                "A validation run is evidence and is kept: it cannot be deleted."
            )
        )

    # -- import --
    @api.model
    def _med_package_files(self, content):
        """{file name: bytes} of a zipped package (its files at the top or in one
        folder), refused when it is not a zip or is too large."""
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
        except zipfile.BadZipFile as error:
            raise UserError(
                self.env._("The file is not a zip archive of a validation package.")
            ) from error
        with archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if sum(member.file_size for member in members) > MAX_PACKAGE_BYTES:
                raise UserError(
                    self.env._("The archive is too large to be a validation package.")
                )
            files = {}
            for member in members:
                path = PurePosixPath(member.filename)
                if len(path.parts) > 2 or path.name in files:
                    raise UserError(
                        self.env._(
                            "%(name)s: a validation package holds its files at the top "
                            "of the archive or in one folder.",
                            name=member.filename,
                        )
                    )
                files[path.name] = archive.read(member)
        return files

    @api.model
    def _med_ensure_package(self, files):
        """The manifest of a package whose files all match their SHA-256, or a
        refusal naming every file that does not."""
        if MANIFEST not in files:
            raise UserError(
                self.env._(
                    "The package has no %(manifest)s: it was not made by "
                    "setup/validate.sh.",
                    manifest=MANIFEST,
                )
            )
        try:
            manifest = json.loads(files[MANIFEST])
            listed = dict(manifest["files"])
        except (ValueError, KeyError, TypeError) as error:
            raise UserError(
                self.env._(
                    "The package's %(manifest)s cannot be read.", manifest=MANIFEST
                )
            ) from error
        problems = []
        for name, digest in sorted(listed.items()):
            if name not in files:
                problems.append(self.env._("%(name)s is missing", name=name))
            elif hashlib.sha256(files[name]).hexdigest() != digest:
                problems.append(
                    self.env._("%(name)s does not match its SHA-256", name=name)
                )
        problems += [
            self.env._("%(name)s is not in the manifest", name=name)
            for name in sorted(set(files) - set(listed) - {MANIFEST})
        ]
        problems += [
            self.env._("%(name)s is missing", name=name)
            for name in REQUIRED_FILES
            if name not in listed
        ]
        if problems:
            raise UserError(
                self.env._(
                    "Validation package %(package)s refused: %(problems)s. Its files "
                    "were changed or lost after it was generated; generate it again "
                    "with setup/validate.sh.",
                    package=manifest.get("package") or "-",
                    problems="; ".join(problems),
                )
            )
        return manifest

    @api.model
    def _med_import_package(self, content):
        """Check a zipped package and record it with its files: the new run."""
        files = self._med_package_files(content)
        manifest = self._med_ensure_package(files)
        manifest_sha256 = hashlib.sha256(files[MANIFEST]).hexdigest()
        # sudo: the duplicate may belong to a company the user does not see.
        if self.sudo().search_count([("manifest_sha256", "=", manifest_sha256)]):
            raise UserError(
                self.env._(
                    "Validation package %(package)s was imported already.",
                    package=manifest.get("package"),
                )
            )
        oq = json.loads(files["oq.json"])
        rtm = json.loads(files["rtm.json"])
        deviations = json.loads(files["deviations.json"])
        totals = oq.get("totals", {})
        results = [row["result"] for row in rtm]
        lines = [
            " · ".join(
                filter(
                    None,
                    [
                        item["kind"] + (f" ({item['risk']})" if item["risk"] else ""),
                        item["reference"],
                        item["detail"],
                    ],
                )
            )
            for item in deviations[:DEVIATIONS_SHOWN]
        ]
        if len(deviations) > DEVIATIONS_SHOWN:
            lines.append(
                self.env._(
                    "... and %(count)s more (deviations.csv)",
                    count=len(deviations) - DEVIATIONS_SHOWN,
                )
            )
        vals = {
            "name": manifest.get("package") or manifest_sha256[:12],
            "date_generated": manifest.get("generated"),
            "commit": oq.get("run", {}).get("commit"),
            "tree_changes": bool(oq.get("run", {}).get("tree_changes")),
            "database_name": manifest.get("database"),
            "manifest_sha256": manifest_sha256,
            "test_passed": totals.get("passed", 0),
            "test_failed": totals.get("failed", 0),
            "test_error": totals.get("error", 0),
            "test_skipped": totals.get("skipped", 0),
            "requirement_met": results.count("met"),
            "requirement_partial": results.count("partially met"),
            "requirement_not_met": results.count("not met"),
            "high_risk_not_met": sum(
                1 for row in rtm if row["result"] == "not met" and row["risk"] == "high"
            ),
            "deviation_count": len(deviations),
            "deviation_note": "\n".join(lines) or False,
            "file_ids": [
                fields.Command.create(
                    {
                        "name": name,
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "file_size": len(data),
                        "datas": base64.b64encode(data),
                    }
                )
                for name, data in sorted(files.items())
            ],
        }
        # sudo: a run is a system record, created only here once its files are checked.
        run = self.sudo()._med_protected_write().create(vals)
        run.message_post(
            body=self.env._(
                "Validation package imported by %(user)s: %(passed)s tests passed, "
                "%(failed)s failed, %(deviations)s deviations.",
                user=self.env.user.name,
                passed=run.test_passed,
                failed=run.test_failed + run.test_error,
                deviations=run.deviation_count,
            )
        )
        return run.with_env(self.env)

    # -- approval --
    def action_approve(self):
        return self._med_request_signature(
            "approval",
            "_med_do_approve",
            title=self.env._("Sign the Validation Approval"),
        )

    def _med_do_approve(self):
        justification = self.env.context.get("med_signature_comment")
        for run in self:
            if run.deviation_count and not justification:
                raise UserError(
                    self.env._(
                        "%(run)s has %(count)s deviations: give the reason for "
                        "accepting them in the signature's comment.",
                        run=run.name,
                        count=run.deviation_count,
                    )
                )
            if run.state == "approved":
                raise UserError(
                    self.env._("%(run)s is approved already.", run=run.name)
                )
            changed = run.file_ids.filtered(lambda f: not f._med_intact())
            if changed:
                raise UserError(
                    self.env._(
                        "%(run)s cannot be approved: %(files)s no longer match their "
                        "SHA-256.",
                        run=run.name,
                        files=", ".join(changed.mapped("name")),
                    )
                )
        # sudo: the approval is the one change a run takes, made through the signature.
        self.sudo()._med_protected_write().write(
            {
                "state": "approved",
                "approved_by_id": self.env.user.id,
                "date_approved": fields.Datetime.now(),
            }
        )

    def action_open_summary(self):
        self.ensure_one()
        summary = self.file_ids.filtered(lambda f: f.name == "summary.pdf")[:1]
        if not summary:
            return False
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/med.validation.file/{summary.id}/datas/summary.pdf",
            "target": "new",
        }
