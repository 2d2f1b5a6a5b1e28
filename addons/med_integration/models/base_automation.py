import ast
import copy

from odoo import api, models, tools

from odoo.addons.base_automation.models.base_automation import WRITE_TRIGGERS


def _fetching_old_values(write):
    """``write`` (base_automation's wrapper of a model's write) made to read the
    old values it gives its rules in one narrow query. The wrapper reads each
    written field of each record; a field not in memory makes the ORM fetch every
    column of the record (the whole prefetch set's rows): on a wide model like the
    lot, that read was most of what an active rule added to a write. Fetching just
    the written stored fields first gives the wrapper the same values, read in the
    same transaction with the same access checks, from memory."""

    def write_fetching_old_values(self, vals, **kwargs):
        records = self.filtered("id")
        missing = [
            name
            for name in vals
            if name in records._fields
            and records._fields[name].store
            and any(records.env.cache.get_missing_ids(records, records._fields[name]))
        ]
        if missing:
            records.fetch(missing)
        return write(self, vals, **kwargs)

    write_fetching_old_values.med_fetches_old_values = True
    return write_fetching_old_values


class BaseAutomation(models.Model):
    """The automation rules of a model, looked up on every create, write and
    recomputation of its records, are cached per registry: the suite's event rules
    are active on busy models (lots), where a query per write would be what every
    user pays for events. Any change of a rule clears the cache."""

    _name = "base.automation"
    _inherit = ("base.automation", "med.cached.rule.mixin")

    def _get_actions(self, records, triggers):
        automations = self
        if "__action_done" not in self.env.context:
            automations = self.with_context(__action_done={})
        return automations.browse(
            self._med_automation_ids(records._name, tuple(triggers))
        )

    @api.model
    @tools.ormcache("model_name", "triggers")
    def _med_automation_ids(self, model_name, triggers):
        domain = [("model_name", "=", model_name), ("trigger", "in", triggers)]
        # sudo: which rules exist decides what runs, whoever writes (as Odoo's own).
        return tuple(self.with_context(active_test=True).sudo().search(domain).ids)

    # Each write of a record runs every update rule's pre- and postcondition; Odoo
    # evaluates their domains with safe_eval (compiled and checked) every time. A
    # domain written as a literal, as the event rules' are, gives the same value
    # through ast.literal_eval, parsed once per registry; any other domain (one
    # naming uid, user, time...) is Odoo's to evaluate, as before.
    def _filter_pre(self, records, feedback=False):
        domain = self._med_literal_domain(self.sudo().filter_pre_domain)
        if domain is None or not records:
            return super()._filter_pre(records, feedback=feedback)
        if feedback:
            records = records.with_context(__action_feedback=True)
        return records.sudo().filtered_domain(domain).with_env(records.env)

    def _filter_post_export_domain(self, records, feedback=False):
        domain = self._med_literal_domain(self.sudo().filter_domain)
        if domain is None or not records:
            return super()._filter_post_export_domain(records, feedback=feedback)
        if feedback:
            records = records.with_context(__action_feedback=True)
        return records.sudo().filtered_domain(domain).with_env(records.env), domain

    @api.model
    def _med_literal_domain(self, text):
        """The domain ``text`` if it is a literal (a copy: callers may change it),
        else None."""
        domain = self._med_parse_literal_domain(text) if text else None
        return None if domain is None else copy.deepcopy(domain)

    @api.model
    @tools.ormcache("text")
    def _med_parse_literal_domain(self, text):
        try:
            domain = ast.literal_eval(text.strip())
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
        return domain if isinstance(domain, list) else None

    def _register_hook(self):
        # base_automation sets its write wrapper on the registry's class of each
        # model with an update rule (and _unregister_hook deletes that attribute,
        # which removes this one in its place).
        super()._register_hook()
        rules = self.with_context(active_test=True).search(
            [("trigger", "in", WRITE_TRIGGERS)]
        )
        for model_name in set(rules.mapped("model_name")):
            model_class = self.env.registry.get(model_name)
            write = model_class and model_class.__dict__.get("write")
            if write and not getattr(write, "med_fetches_old_values", False):
                model_class.write = _fetching_old_values(write)
