from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from ..tools import gs1

# The fields of a move line whose change, on a done move, moves stock (Odoo updates
# the quants at once).
MOVING_FIELDS = {
    "lot_id",
    "quant_id",
    "location_id",
    "location_dest_id",
    "quantity",
    "product_uom_id",
}


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    # Genealogy and recall-scope queries select move lines by lot; Odoo 18 has no index
    # on this column. Most move lines carry no lot, so a partial index stays small.
    lot_id = fields.Many2one(index="btree_not_null")

    med_lot_state = fields.Selection(related="lot_id.med_state", string="Lot Status")
    # Who received the goods, in one place for the recall scope, the recall simulation,
    # the genealogy and the dossiers; stored so that a recall scope reads it from the
    # move lines it finds, without visiting every transfer and move of a recall.
    med_partner_id = fields.Many2one(
        "res.partner",
        string="Partner (Consignee)",
        compute="_compute_med_partner_id",
        store=True,
        help="The move's destination address, else the transfer's partner: the "
        "consignee of a delivery, the vendor of a receipt.",
    )
    med_production_date = fields.Date(string="Production Date")
    med_gs1_barcode = fields.Char(
        string="GS1 Barcode",
        store=False,
        help="Scan or paste the UDI (GS1 element string): fills the lot, production "
        "and expiry dates.",
    )

    def _auto_init(self):
        # Filled by one UPDATE at installation rather than computed by the ORM
        # record by record: a database holds millions of move lines.
        if not column_exists(self.env.cr, self._table, "med_partner_id"):
            create_column(self.env.cr, self._table, "med_partner_id", "int4")
            self._med_fill_partner()
        return super()._auto_init()

    def init(self):
        # A recall scope asks for the done lines of its lots going to customer
        # locations, for their ids and partners: with the destination in the index it
        # visits only those lines, and with the two columns it reads them from the
        # index alone (a tenth of a large scope's time went to fetching the rows).
        self.env.cr.execute(
            SQL(
                """
            CREATE INDEX IF NOT EXISTS stock_move_line_med_delivered_lot_index
                ON stock_move_line (lot_id, location_dest_id)
                INCLUDE (id, med_partner_id)
             WHERE state = 'done' AND lot_id IS NOT NULL
            """
            )
        )

    @api.model
    def _med_fill_partner(self):
        """Set the stored partner of every move line with one statement."""
        self.env.cr.execute(
            SQL(
                """
            UPDATE stock_move_line line
               SET med_partner_id = COALESCE(move.partner_id, picking.partner_id)
              FROM stock_move_line base
              LEFT JOIN stock_move move ON move.id = base.move_id
              LEFT JOIN stock_picking picking ON picking.id = base.picking_id
             WHERE base.id = line.id
               AND line.med_partner_id IS DISTINCT FROM
                   COALESCE(move.partner_id, picking.partner_id)
                """
            )
        )

    @api.depends("move_id.partner_id", "picking_id.partner_id")
    def _compute_med_partner_id(self):
        for line in self:
            line.med_partner_id = line.move_id.partner_id or line.picking_id.partner_id

    @api.onchange("med_gs1_barcode")
    def _onchange_med_gs1_barcode(self):
        if self.med_gs1_barcode:
            self.update(self._med_gs1_values(self.med_gs1_barcode))

    def _med_gs1_values(self, text):
        """Move line values read from a GS1 element string, checked against the
        line's product."""
        self.ensure_one()
        try:
            data = gs1.parse(text)
        except gs1.GS1Error as error:
            raise UserError(
                self.env._(
                    "Unreadable UDI %(text)s: %(error)s.",
                    text=text,
                    error=error,
                )
            ) from error
        expected = self.product_id.med_udi_di
        if data.get("gtin") and expected and data["gtin"] != expected:
            raise UserError(
                self.env._(
                    "The UDI is for GTIN %(scanned)s, but %(product)s has UDI-DI "
                    "%(expected)s.",
                    scanned=data["gtin"],
                    product=self.product_id.display_name,
                    expected=expected,
                )
            )
        values = {}
        lot_name = data.get("lot") or data.get("serial")
        if lot_name:
            values["lot_name"] = lot_name
        if data.get("expiry_date"):
            values["expiration_date"] = fields.Datetime.to_datetime(data["expiry_date"])
        if data.get("production_date"):
            values["med_production_date"] = data["production_date"]
        return values

    # -- lines of done moves: they move stock on their own, without _action_done --
    # Checked twice: on the values to come, so that the refusal names the lot before
    # Odoo moves stock and values it (and refuses for its own reasons), and on the
    # result, which is what moved (Odoo may create the move of a line added to a done
    # transfer, or take a lot and location from a quant).
    @api.model_create_multi
    def create(self, vals_list):
        self._med_predicted_done_lines(vals_list)._med_ensure_done_lines()
        lines = super().create(vals_list)
        done = lines.filtered(lambda line: line.state == "done")
        done._med_ensure_done_lines()
        self.env["stock.move"]._med_requarantine_received(done)
        return lines

    def write(self, vals):
        changed = self.browse()
        if MOVING_FIELDS.intersection(vals):
            changed = self.filtered(lambda line: line.state == "done")
        if "quantity" in vals and not MOVING_FIELDS.difference(["quantity"]) & set(
            vals
        ):
            # Less done quantity takes stock back from where it went: no gate.
            changed = changed.filtered(lambda line: vals["quantity"] > line.quantity)
        changed._med_predicted(vals)._med_ensure_done_lines()
        result = super().write(vals)
        changed._med_ensure_done_lines()
        self.env["stock.move"]._med_requarantine_received(changed)
        return result

    @api.model
    def _med_predicted_done_lines(self, vals_list):
        """Virtual lines for the values that create a line on a done move (or a done
        transfer, which gets a done move for it)."""
        Move, Picking = self.env["stock.move"], self.env["stock.picking"]
        predicted = self.browse()
        for vals in vals_list:
            move = Move.browse(vals.get("move_id"))
            picking = Picking.browse(vals.get("picking_id"))
            if move.state == "done" or (not move and picking.state == "done"):
                predicted |= self.new(vals)
        return predicted

    def _med_predicted(self, vals):
        """These lines as virtual records with ``vals`` written."""
        changes = {
            name: vals[name]
            for name in ("lot_id", "location_id", "location_dest_id")
            if name in vals
        }
        quant = self.env["stock.quant"].browse(vals.get("quant_id"))
        if quant:
            changes.update(lot_id=quant.lot_id.id, location_id=quant.location_id.id)
        predicted = self.browse()
        for line in self:
            values = {
                "move_id": line.move_id.id,
                "picking_id": line.picking_id.id,
                "product_id": line.product_id.id,
                "lot_id": line.lot_id.id,
                "location_id": line.location_id.id,
                "location_dest_id": line.location_dest_id.id,
                "expiration_date": line.expiration_date,
            }
            predicted |= self.new(dict(values, **changes))
        return predicted

    def _med_ensure_done_lines(self):
        """Done lines created or changed (lot, locations, more quantity) move stock
        as a transfer does: the same lot gates hold, always blocking (correcting a
        done transfer is no way to ship, consume or receive a lot that the gates
        refuse; there is no warning to confirm)."""
        lines = self.filtered(lambda line: line.lot_id)
        if not lines:
            return
        lines.lot_id._med_lock_status()
        Move = self.env["stock.move"]
        now = fields.Datetime.now()
        messages = []
        for line in lines:
            kind = Move._med_gate_kind(line.location_id, line.location_dest_id)
            if not kind:
                continue
            # A line added to a done transfer gets its move from Odoo afterwards.
            move = line.move_id or Move.new(
                {
                    "product_id": line.product_id.id,
                    "picking_id": line.picking_id.id,
                    "partner_id": line.picking_id.partner_id.id,
                }
            )
            messages += move._med_kind_violations(kind, line, now)
        if messages:
            raise UserError(
                self.env._(
                    "This change of a done transfer is refused: it would move a lot "
                    "that the lot gates stop. Make a new transfer instead.\n"
                    "%(messages)s",
                    messages="\n".join(f"- {message}" for message in messages),
                )
            )

    def _prepare_new_lot_vals(self):
        vals = super()._prepare_new_lot_vals()
        if self.med_production_date:
            vals["med_production_date"] = self.med_production_date
        return vals
