"""Every deletion the suite refuses reaches the audit trail: an ``unlink()`` of any
addon that checks before calling super runs its checks in the refused-deletion
recorder of med_audit_export (base_refused_deletion.py)."""

import ast
import inspect
import textwrap

from odoo.tests import TransactionCase, tagged

# The audit engine's own unlink() runs inside the recorder (base_refused_deletion).
ENGINE_MODULES = {
    "odoo.addons.med_audit_export.models.base",
    "odoo.addons.med_audit_export.models.base_refused_deletion",
}
# unlink() overrides that run code before the deletion but refuse nothing.
REFUSE_NOTHING = {
    # reads the verified certificates the deletion voids, before they are gone
    "odoo.addons.med_supplier_qual.models.ir_attachment",
}


def _calls_super_unlink(node):
    return any(
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "unlink"
        and isinstance(call.func.value, ast.Call)
        and getattr(call.func.value.func, "id", None) == "super"
        for call in ast.walk(node)
    )


def _through_recorder(statement):
    """Does an unlink() that starts with ``statement`` refuse, if it does, through
    the recorder: its checks inside it, or none before the ORM's deletion?"""
    if isinstance(statement, ast.With):
        return any(
            "_med_refused_deletion_recorder" in ast.unparse(item.context_expr)
            for item in statement.items
        )
    return "refuse_change(self, deletion=True)" in ast.unparse(
        statement
    ) or _calls_super_unlink(statement)


@tagged("post_install", "-at_install")
class TestEveryRefusalThroughTheRecorder(TransactionCase):
    def test_every_unlink_override_of_the_suite_refuses_through_the_recorder(self):
        """An unlink() of the suite that checks before calling super runs its checks
        in the recorder: a refusal there is in the trail like the engine's."""
        checked, wrong = set(), []
        for name in self.registry:
            for cls in type(self.env[name]).__mro__:
                module = cls.__module__
                if (
                    "unlink" not in vars(cls)
                    or not module.startswith("odoo.addons.med_")
                    or module in ENGINE_MODULES | REFUSE_NOTHING
                    or (module, cls.__qualname__) in checked
                ):
                    continue
                checked.add((module, cls.__qualname__))
                source = textwrap.dedent(inspect.getsource(vars(cls)["unlink"]))
                body = ast.parse(source).body[0].body
                if isinstance(body[0], ast.Expr) and isinstance(
                    body[0].value, ast.Constant
                ):
                    body = body[1:]  # the docstring
                if not _through_recorder(body[0]):
                    wrong.append(f"{module}.{cls.__qualname__}")
        self.assertGreaterEqual(len(checked), 10)
        self.assertFalse(wrong, "unlink() refusing outside the recorder")
