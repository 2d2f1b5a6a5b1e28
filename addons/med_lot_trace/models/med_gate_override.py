from odoo import fields, models


class MedGateOverride(models.Model):
    """A user's confirmation of gate warnings on one document: who, when, which
    findings (named by their keys, see ``med.gate._med_key``) and why. The gates let
    exactly these findings through for this user, for a short while; anything else
    found on the document still needs its own confirmation. Written by the
    confirmation only: nobody edits or deletes it."""

    _name = "med.gate.override"
    _description = "Gate Override"
    _order = "id desc"

    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Document ID", model_field="res_model", required=True, readonly=True
    )
    document_name = fields.Char(string="Document", readonly=True)
    findings = fields.Text(required=True, readonly=True)
    finding_keys = fields.Text(required=True, readonly=True)
    reason = fields.Text(required=True, readonly=True)
