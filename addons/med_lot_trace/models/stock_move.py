from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        # Every path that moves stock ends here (button, RPC, MRP, batch, returns):
        # the gates hold on all of them.
        self.env["med.gate"]._med_enforce(self._med_gate_findings())
        self._med_segregate_receipts()
        self._med_ensure_segregation()
        done = super()._action_done(cancel_backorder=cancel_backorder)
        self._med_record_lot_origin(done)
        self._med_requarantine_received(done.move_line_ids)
        lots = done.move_line_ids.lot_id
        if lots:
            # A receipt, a production, a consumption, a scrap or a return changes
            # what the release checks find on the lots waiting for release.
            self.env["med.release.result"]._med_reconcile(
                self.env["stock.lot"]._med_pending_lots(lots)
            )
        return done

    def _med_requarantine_received(self, lines):
        """Goods received from a supplier, or produced, into a lot already released
        put the lot back in quarantine: QA released the quantity it inspected, not
        this one, which waits for its own release (receiving is not refused: a
        supplier ships one lot number in several deliveries)."""
        received = lines.filtered(
            lambda line: line.state == "done"
            and line.lot_id
            and line.location_id.usage in ("supplier", "production")
            and line.location_dest_id.usage in ("internal", "transit")
        )
        lots = received.lot_id.filtered(
            lambda lot: lot.med_state == "released"
            and lot.product_id.med_release_required
        )
        for lot in lots:
            line = received.filtered(lambda ml, lot=lot: ml.lot_id == lot)[:1]
            lot.with_context(
                med_reason=self.env._(
                    "Received into the released lot by %(reference)s: in quarantine "
                    "until QA releases it again",
                    reference=line.reference or line.move_id.display_name,
                )
            )._med_set_state("quarantine")

    def _med_segregate_receipts(self):
        """Goods received or produced into the stock of a warehouse that segregates
        land in its quarantine location when their lot is not released."""
        for line in self.move_line_ids:
            warehouse = line.location_dest_id.warehouse_id
            quarantine = warehouse.med_quarantine_location_id
            if (
                not quarantine
                or line.location_id.usage not in ("supplier", "production")
                or not line.location_dest_id._child_of(warehouse.lot_stock_id)
                or line.location_dest_id._child_of(quarantine)
            ):
                continue
            # A new lot of such a product starts in quarantine, and a released lot
            # received again goes back to it (_med_requarantine_received).
            if line.product_id.med_release_required or (
                line.lot_id and line.lot_id.med_state != "released"
            ):
                line.location_dest_id = quarantine

    def _med_leaving_quarantine(self):
        """The move lines that take a lot out of its warehouse's quarantine location
        to another internal location."""
        return self.move_line_ids.filtered(
            lambda line: line.lot_id
            and line.location_id.warehouse_id.med_quarantine_location_id
            and line.location_id._child_of(
                line.location_id.warehouse_id.med_quarantine_location_id
            )
            and line.location_dest_id.usage == "internal"
            and not line.location_dest_id._child_of(
                line.location_id.warehouse_id.med_quarantine_location_id
            )
        )

    def _med_ensure_segregation(self):
        lines = self._med_leaving_quarantine()
        if not lines:
            return
        lines.lot_id._med_lock_status()
        kept = lines.lot_id.filtered(lambda lot: lot.med_state != "released")
        if kept:
            raise UserError(
                self.env._(
                    "%(lots)s are not released: they stay in the quarantine location "
                    "until QA releases them.",
                    lots=", ".join(kept.mapped("display_name")),
                )
            )

    def _med_record_lot_origin(self, done):
        """Remember who received or produced each new lot (segregation of duties)."""
        origins = ("supplier", "production", "inventory")
        lots = done.filtered(
            lambda m: m.location_id.usage in origins
        ).move_line_ids.lot_id
        lots = lots.filtered(lambda lot: not lot.med_recorded_by_id)
        if lots:
            lots._med_protected_write().write({"med_recorded_by_id": self.env.uid})

    def _med_gate_mode(self):
        self.ensure_one()
        mode = self.picking_type_id.med_gate_mode
        if not mode or mode == "company":
            mode = self.company_id.med_gate_mode or "block"
        return mode

    def _med_gate_violations(self):
        """{move: [messages]} for the lots these moves would deliver, receive or
        consume against the rules."""
        now = fields.Datetime.now()
        violations = {}
        moves = self.filtered(lambda m: m.state not in ("done", "cancel"))
        # The statuses read here hold until the transfer commits (see
        # stock.lot._med_lock_status); the lots of all moves in one query: reading
        # them move by move costs one query per lot.
        lots = moves.move_line_ids.lot_id
        lots._med_lock_status()
        lots.fetch(["name", "med_state", "expiration_date"])
        for move in moves:
            lines = move.move_line_ids.filtered(lambda ml: ml.lot_id or ml.lot_name)
            kind = self._med_gate_kind(move.location_id, move.location_dest_id)
            if not lines or not kind:
                continue
            messages = move._med_kind_violations(kind, lines, now)
            if messages:
                violations[move] = messages
        return violations

    @api.model
    def _med_gate_kind(self, source, destination):
        """Which lot gate applies to stock going from ``source`` to ``destination``."""
        if destination.usage == "customer":
            return "outgoing"
        if source.usage == "supplier":
            return "receipt"
        if destination.usage == "production":
            return "consumption"
        return None

    def _med_kind_violations(self, kind, lines, now):
        self.ensure_one()
        check = {
            "outgoing": self._med_outgoing_violations,
            "receipt": self._med_receipt_violations,
            "consumption": self._med_consumption_violations,
        }[kind]
        return check(lines, now)

    def _med_lot_label(self, lot):
        expiry = (
            fields.Date.to_string(lot.expiration_date) if lot.expiration_date else "-"
        )
        return self.env._(
            "Lot %(lot)s of %(product)s (expiry %(expiry)s)",
            lot=lot.name,
            product=self.product_id.display_name,
            expiry=expiry,
        )

    def _med_unreleased_or_expired(self, lot, now, rule):
        messages = []
        if lot.med_state != "released":
            states = dict(lot._fields["med_state"]._description_selection(self.env))
            messages.append(
                self.env._(
                    "%(lot)s is %(state)s, not released: %(rule)s",
                    lot=self._med_lot_label(lot),
                    state=states[lot.med_state],
                    rule=rule,
                )
            )
        if lot.expiration_date and lot.expiration_date < now:
            messages.append(
                self.env._(
                    "%(lot)s has expired: %(rule)s",
                    lot=self._med_lot_label(lot),
                    rule=rule,
                )
            )
        return messages

    def _med_outgoing_violations(self, lines, now):
        rule = self.env._("only released, unexpired lots are shipped to customers")
        partner = self.picking_id.partner_id.commercial_partner_id or self.partner_id
        template = self.product_id.product_tmpl_id
        min_days = partner.med_min_shelf_life_days or template.med_min_shelf_life_days
        min_percent = (
            partner.med_min_shelf_life_percent or template.med_min_shelf_life_percent
        )
        messages = []
        for lot in lines.lot_id:
            messages += self._med_unreleased_or_expired(lot, now, rule)
            if not lot.expiration_date or lot.expiration_date < now:
                continue
            remaining = lot._med_remaining_shelf_life(now)
            total = template.expiration_time
            if min_days and remaining < min_days:
                messages.append(
                    self.env._(
                        "%(lot)s has %(remaining)s days of shelf life left; "
                        "%(partner)s requires at least %(minimum)s days",
                        lot=self._med_lot_label(lot),
                        remaining=remaining,
                        partner=partner.display_name or self.env._("the customer"),
                        minimum=min_days,
                    )
                )
            if min_percent and total and remaining * 100.0 / total < min_percent:
                messages.append(
                    self.env._(
                        "%(lot)s has %(share)s%% of its shelf life left; the minimum "
                        "is %(minimum)s%%",
                        lot=self._med_lot_label(lot),
                        share=round(remaining * 100.0 / total),
                        minimum=min_percent,
                    )
                )
        return messages

    def _med_receipt_violations(self, lines, now):
        template = self.product_id.product_tmpl_id
        messages = []
        for line in lines:
            expiry = line.lot_id.expiration_date or line.expiration_date
            label = line.lot_id.name or line.lot_name
            if template.use_expiration_date and not expiry:
                messages.append(
                    self.env._(
                        "Lot %(lot)s of %(product)s has no expiry date: enter it "
                        "before receiving",
                        lot=label,
                        product=self.product_id.display_name,
                    )
                )
                continue
            minimum = template.med_min_receipt_shelf_life_days
            if expiry and minimum and expiry < now + timedelta(days=minimum):
                messages.append(
                    self.env._(
                        "Lot %(lot)s of %(product)s expires on %(expiry)s: less than "
                        "the %(minimum)s days of shelf life required at receipt",
                        lot=label,
                        product=self.product_id.display_name,
                        expiry=fields.Date.to_string(expiry),
                        minimum=minimum,
                    )
                )
        return messages

    def _med_consumption_violations(self, lines, now):
        rule = self.env._("only released, unexpired lots are used in production")
        messages = []
        for lot in lines.lot_id:
            messages += self._med_unreleased_or_expired(lot, now, rule)
        return messages

    def _med_gate_findings(self, dry_run=False):
        """What the gates find on these moves (see ``med.gate``); each addon adds
        the findings of its gates. ``dry_run``: whatever the gates' modes."""
        Gate = self.env["med.gate"]
        findings = []
        for move, messages in self._med_gate_violations().items():
            document = move.picking_id or move.raw_material_production_id or move
            lots = move.move_line_ids.lot_id
            findings += [
                Gate._med_finding(
                    "lot",
                    document,
                    message,
                    mode=move._med_gate_mode(),
                    products=move.product_id,
                    lots=lots,
                )
                for message in messages
            ]
        return findings

    # -- reservation --
    def _med_for_customer(self):
        destination = self.location_final_id or self.location_dest_id
        return (
            destination.usage == "customer" or self.picking_type_id.code == "outgoing"
        )

    def _med_puts_away(self, location):
        """Whether this move takes stock from a quarantine location to another
        internal location: only released lots are reserved for it (a three-step
        reception's last step waits for the release)."""
        quarantine = location.warehouse_id.med_quarantine_location_id
        destination = self.location_dest_id
        return bool(
            quarantine
            and location._child_of(quarantine)
            and destination.usage == "internal"
            and not destination._child_of(quarantine)
        )

    def _update_reserved_quantity(
        self,
        need,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=True,
    ):
        move = (
            self.with_context(med_releasable_only=True)
            if self._med_for_customer() or self._med_puts_away(location_id)
            else self
        )
        reserved = super(StockMove, move)._update_reserved_quantity(
            need, location_id, lot_id, package_id, owner_id, strict
        )
        if move is not self:
            # The lots just reserved for a customer were read as releasable: a hold
            # committed meanwhile makes the reservation fail and be retried.
            self.move_line_ids.lot_id._med_lock_status()
        return reserved

    def _get_available_quantity(
        self,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
        allow_negative=False,
    ):
        move = (
            self.with_context(med_releasable_only=True)
            if self._med_for_customer() or self._med_puts_away(location_id)
            else self
        )
        return super(StockMove, move)._get_available_quantity(
            location_id, lot_id, package_id, owner_id, strict, allow_negative
        )
