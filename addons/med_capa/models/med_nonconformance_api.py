from odoo import api, fields, models
from odoo.exceptions import UserError

from .med_capa_rule import SEVERITIES
from .med_nonconformance import SOURCES

EVENT_KEYS = {
    "external_ref",
    "source",
    "description",
    "severity",
    "product_ref",
    "lot_names",
    "partner_id",
    "quantity",
    "open_capa",
}


class MedNonconformance(models.Model):
    """The public API of nonconformances (docs/api.md): a QMS, CRM or complaint
    portal reports an event, the suite records it as a nonconformance (and a CAPA
    when asked), exactly as a user would, and its CAPA rules run."""

    _inherit = "med.nonconformance"

    @api.model
    def med_api_report_event(self, event):
        """Record the external ``event`` (a dict, see ``EVENT_KEYS``) as a
        nonconformance, with a CAPA when ``open_capa``. Everything is checked
        first; bad input changes nothing. The same ``external_ref`` twice returns
        the first record instead of a duplicate."""
        self.check_access("create")
        if event.get("open_capa"):
            self.env["med.capa"].check_access("create")
        vals = self._med_api_event_vals(event)
        ref = vals["origin_ref"]
        existing = self.search([("origin_ref", "=", ref)], limit=1)
        if existing:
            return existing._med_api_answer(created=False)
        record = self.create(dict(vals, origin_ref=False))
        # The external reference, which the next call deduplicates on, is set by
        # this method only (a caller's create cannot claim one).
        record._med_protected_write().write({"origin_ref": ref})
        if event.get("open_capa") and not record.capa_id:
            record.action_open_capa()
        return record._med_api_answer(created=True)

    @api.model
    def _med_api_event_vals(self, event):
        if not isinstance(event, dict):
            raise UserError(self.env._("The event must be a JSON object."))
        errors = []
        unknown = set(event) - EVENT_KEYS
        if unknown:
            errors.append(
                self.env._(
                    "unknown keys %(keys)s (allowed: %(allowed)s)",
                    keys=", ".join(sorted(unknown)),
                    allowed=", ".join(sorted(EVENT_KEYS)),
                )
            )
        external_ref = str(event.get("external_ref") or "").strip()
        if not external_ref:
            errors.append(self.env._("external_ref is required"))
        description = str(event.get("description") or "").strip()
        if not description:
            errors.append(self.env._("description is required"))
        source = event.get("source", "complaint")
        if source not in dict(SOURCES):
            errors.append(
                self.env._(
                    "source %(source)s is not one of %(allowed)s",
                    source=source,
                    allowed=", ".join(dict(SOURCES)),
                )
            )
        severity = event.get("severity", "major")
        if severity not in dict(SEVERITIES):
            errors.append(
                self.env._(
                    "severity %(severity)s is not one of %(allowed)s",
                    severity=severity,
                    allowed=", ".join(dict(SEVERITIES)),
                )
            )
        quantity = event.get("quantity", 0.0)
        if not isinstance(quantity, int | float) or quantity < 0:
            errors.append(
                self.env._(
                    "quantity must be a number of at least 0, not %(qty)s",
                    qty=quantity,
                )
            )
        product = self.env["product.product"]
        product_ref = event.get("product_ref")
        if product_ref:
            product = product.search(
                [
                    "|",
                    ("default_code", "=", product_ref),
                    ("name", "=", product_ref),
                ],
                limit=2,
            )
            if len(product) != 1:
                errors.append(
                    self.env._(
                        "product %(product)s is unknown or ambiguous",
                        product=product_ref,
                    )
                )
                product = product.browse()
        lots = self.env["stock.lot"]
        lot_names = event.get("lot_names") or []
        if lot_names and not product_ref:
            errors.append(self.env._("lot_names need the product_ref of the lots"))
        elif lot_names and product:
            lots = lots.search(
                [("product_id", "=", product.id), ("name", "in", lot_names)]
            )
            missing = sorted(set(lot_names) - set(lots.mapped("name")))
            if missing:
                errors.append(
                    self.env._(
                        "unknown lots of %(product)s: %(lots)s",
                        product=product.display_name,
                        lots=", ".join(missing),
                    )
                )
        partner = self.env["res.partner"]
        if event.get("partner_id"):
            partner = partner.browse(event["partner_id"]).exists()
            if not partner:
                errors.append(
                    self.env._(
                        "no partner with id %(partner)s", partner=event["partner_id"]
                    )
                )
        if errors:
            raise UserError(
                self.env._(
                    "The event was not recorded:\n%(errors)s",
                    errors="\n".join(f"- {error}" for error in errors),
                )
            )
        return {
            "origin_ref": f"external:{external_ref}",
            "source": source,
            "severity": severity,
            "description": description,
            "product_id": product.id,
            "lot_ids": [fields.Command.set(lots.ids)],
            "partner_id": partner.commercial_partner_id.id,
            "quantity": quantity,
        }

    def _med_api_answer(self, created):
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "created": created,
            "capa_id": self.capa_id.id or False,
            "capa": self.capa_id.name or False,
        }
