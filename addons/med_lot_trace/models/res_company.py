from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from .med_gate import GATE_MODES


class ResCompany(models.Model):
    _inherit = "res.company"

    med_gate_mode = fields.Selection(
        GATE_MODES,
        string="Lot Gates",
        default="block",
        required=True,
        help="What happens when a transfer or a manufacturing order moves a lot that "
        "is not released, expired or too short-dated. Installed into a running "
        "company, the gates start in warn mode: see the go-live dry run.",
    )
    med_release_segregation = fields.Boolean(
        string="Segregation of Duties at Release",
        default=True,
        help="The user who received or produced a lot cannot release it.",
    )

    def _auto_init(self):
        # Installed into a running company, the lot gates start in warn mode: its open
        # transfers and orders would otherwise stop at once. The go-live dry run lists
        # what block mode would stop; companies created later start in block mode.
        self._med_start_gate_in_warn_mode("med_gate_mode")
        return super()._auto_init()

    def _med_start_gate_in_warn_mode(self, column):
        cr = self.env.cr
        if not column_exists(cr, "res_company", column):
            create_column(cr, "res_company", column, "varchar")
            cr.execute(
                SQL("UPDATE res_company SET %s = 'warn'", SQL.identifier(column))
            )

    @api.model_create_multi
    def create(self, vals_list):
        Gate = self.env["med.gate"]
        Gate._med_ensure_gate_manager(
            {
                code
                for code, gate in Gate._med_gates().items()
                for vals in vals_list
                if gate.mode_field in vals
                and vals[gate.mode_field] != self._fields[gate.mode_field].default(self)
            }
        )
        return super().create(vals_list)

    def write(self, vals):
        Gate = self.env["med.gate"]
        Gate._med_ensure_mode_changes(Gate._med_mode_changes(self, vals))
        return super().write(vals)
