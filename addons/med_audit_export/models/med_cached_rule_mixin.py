from odoo import api, models


class MedCachedRuleMixin(models.AbstractModel):
    """Rules read on every write or unlink are cached per registry (ormcache): any
    change of a rule clears that cache, in every worker."""

    _name = "med.cached.rule.mixin"
    _description = "Cached Compliance Rule"

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        self.env.registry.clear_cache()
        return rules

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
