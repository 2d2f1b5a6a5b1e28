from odoo import models
from odoo.exceptions import UserError
from odoo.tools import split_every


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def button_uninstall(self):
        self._med_ensure_retention_before_uninstall()
        return super().button_uninstall()

    def module_uninstall(self):
        self._med_ensure_retention_before_uninstall()
        return super().module_uninstall()

    def _med_ensure_retention_before_uninstall(self):
        """Uninstalling drops the tables of the module's models: refuse while any of
        their records is still under a retention rule."""
        if "med.retention.rule" not in self.env:
            return
        modules = self | self.downstream_dependencies()
        names = set(modules.mapped("name"))
        Retention = self.env["med.retention.rule"].sudo()
        problems = []
        rules = Retention.search_fetch([("active", "=", True)], ["model_name"])
        for model_name in set(rules.mapped("model_name")):
            if model_name not in self.env:
                continue
            model = self.env[model_name]
            if model._original_module not in names:
                continue
            # sudo: retention covers every record, whoever uninstalls.
            model = model.sudo().with_context(active_test=False)
            kept = []
            for ids in split_every(1000, model._search([("id", "!=", 0)])):
                kept = Retention._med_protected(model.browse(ids))
                if kept:
                    break
            if kept:
                problems.append(
                    self.env._(
                        "records of %(model)s (%(rule)s)",
                        model=model._description,
                        rule=kept[0][1].name,
                    )
                )
        if problems:
            raise UserError(
                self.env._(
                    "Uninstalling would delete records that must be kept: "
                    "%(problems)s. "
                    "Export and archive them, or change the retention rules first.",
                    problems="; ".join(problems),
                )
            )
