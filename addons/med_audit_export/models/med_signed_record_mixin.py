from odoo import fields, models
from odoo.exceptions import UserError

SIGNED_RECORD_STATES = [("draft", "Draft"), ("signed", "Signed")]
# Written by the signature only: protected on every signed record.
SIGNED_FIELDS = frozenset({"state", "signed_by_id", "signed_date"})


class MedSignedRecordMixin(models.AbstractModel):
    """A record drafted, then signed once and frozen from then on (a periodic
    review, a self-inspection report).

    The model declares its one signed action, ``_med_do_sign``, in
    ``_med_signature_actions`` with its meaning and group, the fields the signature
    freezes in ``_med_frozen_fields``, and what must hold before signing by
    extending ``_med_check_signable`` (the button and the signed action both call
    it)."""

    _name = "med.signed.record.mixin"
    _inherit = "med.signable.mixin"
    _description = "Signed Record"
    _med_frozen_fields = frozenset()

    state = fields.Selection(
        SIGNED_RECORD_STATES,
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    signed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    signed_date = fields.Datetime(string="Signed On", readonly=True, copy=False)

    def _med_protected_names(self, config=None):
        return super()._med_protected_names(config) | SIGNED_FIELDS

    def write(self, vals):
        signed = self.filtered(lambda r: r.state == "signed")
        if (
            signed
            and not self._med_trusted()
            and self._med_frozen_fields.intersection(vals)
        ):
            raise UserError(
                self.env._(
                    "%(records)s is signed: it no longer changes.",
                    records=", ".join(signed.mapped("display_name")),
                )
            )
        return super().write(vals)

    def _med_sign_title(self):
        """The title of the signature dialog."""
        return self.env._("Electronic Signature")

    def _med_check_signable(self):
        """Refuse unless these records may be signed now."""
        for record in self:
            if record.state != "draft":
                raise UserError(
                    self.env._(
                        "%(record)s is signed already.", record=record.display_name
                    )
                )

    def action_med_sign(self):
        self._med_check_signable()
        meaning = self._med_signature_actions["_med_do_sign"][0]
        return self._med_request_signature(
            meaning, "_med_do_sign", title=self._med_sign_title()
        )

    def _med_do_sign(self):
        self._med_check_signable()
        self._med_protected_write().write(
            {
                "state": "signed",
                "signed_by_id": self.env.uid,
                "signed_date": fields.Datetime.now(),
            }
        )
