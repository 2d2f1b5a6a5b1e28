from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, frozendict

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE
from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

MED_STATES = [
    ("quarantine", "Quarantine"),
    ("released", "Released"),
    ("hold", "On Hold"),
    ("rejected", "Rejected"),
]
HOLD_SOURCES = [
    ("manual", "Manual"),
    ("expiry", "Expiry"),
    ("inspection", "Inspection"),
]


class StockLot(models.Model):
    """A lot's status and the signed decisions of QA that change it: release
    (after its checks), hold, lift and reject. A lot's dates and expiry live in
    stock_lot_expiry.py, its genealogy in stock_lot_genealogy.py, its UDI in
    stock_lot_udi.py."""

    # Lots are signed (release, hold, reject) and their audited changes need a reason:
    # the mixin brings the signatures and the form's "reason for change" field.
    _inherit = ("stock.lot", "med.signable.mixin")
    _name = "stock.lot"

    _med_signature_actions = frozendict(
        {
            "_med_do_release": ("release", QA_MANAGER),
            "_med_do_hold": ("hold", QA_MANAGER),
            "_med_do_unhold": ("approval", QA_MANAGER),
            "_med_do_reject": ("rejection", QA_MANAGER),
        }
    )
    _med_protected_fields = (
        "med_state",
        "med_hold_source",
        "med_hold_reason",
        "med_recorded_by_id",
        "med_release_date",
    )
    # The status of a new lot is decided by create() below, for every caller.
    _med_create_decided_fields = ("med_state",)

    med_state = fields.Selection(
        MED_STATES,
        string="Lot Status",
        default="released",
        required=True,
        index=True,
        copy=False,
        help="Quarantine: waiting for release. Only released lots are shipped or "
        "consumed. Changed only by the signed actions of QA.",
    )
    med_hold_source = fields.Selection(HOLD_SOURCES, string="Hold Source", copy=False)
    med_hold_reason = fields.Text(string="Hold Reason", copy=False)
    med_recorded_by_id = fields.Many2one(
        "res.users",
        string="Received/Produced By",
        readonly=True,
        copy=False,
        help="Who validated the receipt or the production of the lot; this user may "
        "not release it when segregation of duties is on.",
    )
    med_release_date = fields.Datetime(
        string="Released On",
        readonly=True,
        copy=False,
        help="When QA first signed the lot's release for distribution.",
    )

    def _med_create_forced_values(self):
        # Who recorded a new lot is its creator, never someone the caller names:
        # segregation of duties at release relies on it.
        forced = super()._med_create_forced_values()
        return dict(forced, med_recorded_by_id=self.env.uid)

    @api.model_create_multi
    def create(self, vals_list):
        # The status of a new lot is decided here, never by the caller (UI, import,
        # copy, quick-create or RPC): quarantine when its product requires release.
        # The product may come from the context (``default_product_id``, as the
        # quick-create of a lot from a move line sends it) or a user default: it is
        # resolved first, so that the status follows the product the lot gets.
        without_product = [vals for vals in vals_list if "product_id" not in vals]
        if without_product:
            default = self.default_get(["product_id"]).get("product_id")
            for vals in without_product:
                if default:
                    vals["product_id"] = default
        products = self.env["product.product"].browse(
            {vals["product_id"] for vals in vals_list if vals.get("product_id")}
        )
        self._med_lock_release_requirement(products)
        quarantined = set(products.filtered("med_release_required").ids)
        trusted = self.env.context.get("med_protected_write") is PROTECTED_WRITE
        for vals in vals_list:
            if trusted and "med_state" in vals:
                continue
            vals["med_state"] = (
                "quarantine" if vals.get("product_id") in quarantined else "released"
            )
        return super().create(vals_list)

    def write(self, vals):
        relabelled = self.browse()
        if vals.get("product_id"):
            relabelled = self.filtered(
                lambda lot: lot.product_id.id != vals["product_id"]
            )
        if relabelled:
            self._med_lock_release_requirement(
                self.env["product.product"].browse(vals["product_id"])
            )
        result = super().write(vals)
        # A released lot given a product that requires release was released as
        # something else: it waits for QA again (the product's own release).
        requarantined = relabelled.filtered(
            lambda lot: lot.med_state == "released"
            and lot.product_id.med_release_required
        )
        if requarantined:
            requarantined.with_context(
                med_reason=self.env._(
                    "Product changed to %(product)s, which requires batch release",
                    product=requarantined.product_id[:1].display_name,
                )
            )._med_set_state("quarantine")
        return result

    @api.model
    def _med_lock_release_requirement(self, products):
        """Lock the templates of ``products`` (FOR SHARE) before their release
        requirement decides the status of a lot. The requirement is a stored flag
        that others change in their own transactions (QA on the product, or on its
        category: GxP relevance, med_supplier_qual): under REPEATABLE READ a lot
        created meanwhile would read the old flag and be born released. With the
        lock, a change committed after this transaction's snapshot makes it fail
        with a serialization error, which Odoo retries (the retry reads the new
        flag); a change not yet committed is waited for; a change that comes later
        waits for the lot's transaction."""
        if not products.ids:
            return
        self.env.cr.execute(
            SQL(
                """
                SELECT template.id
                  FROM product_template template
                  JOIN product_product product
                    ON product.product_tmpl_id = template.id
                 WHERE product.id = ANY(%s)
                 ORDER BY template.id
                   FOR SHARE OF template
                """,
                sorted(products.ids),
            )
        )

    def _med_lock_status(self, change=False):
        """Lock these lots' rows for the rest of the transaction, in one query (in id
        order, so that two lockers of the same lots never deadlock).

        Odoo runs REPEATABLE READ: a decision that reads a lot's status must lock it,
        or a status committed after the transaction's snapshot goes unseen. A status
        change is an UPDATE, which takes FOR NO KEY UPDATE on the row:

        - ``change=False`` (a gate, a reservation, a release check reading a
          component): FOR SHARE conflicts with that UPDATE, so a concurrent hold waits
          for this transaction or, committed after its snapshot, makes this lock fail
          with a serialization error that Odoo retries (the retry sees the hold and
          refuses). Gates on the same lot share the lock and do not queue. FOR KEY
          SHARE would not conflict with the UPDATE: it is not enough.
        - ``change=True`` (release, hold, reject, recall, quarantine again): FOR NO KEY
          UPDATE before the status is read, so two changes of one lot queue and the
          second fails with a serialization error (its retry reads the new status);
          two share locks upgraded at once would deadlock instead.
        """
        ids = sorted({lot_id for lot_id in self.ids if isinstance(lot_id, int)})
        if not ids:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id FROM stock_lot WHERE id = ANY(%s) ORDER BY id %s",
                ids,
                SQL("FOR NO KEY UPDATE") if change else SQL("FOR SHARE"),
            )
        )

    def _med_has_stock(self):
        """The ids of these lots with a positive quantity in internal or transit
        locations, in one query."""
        if not self.ids:
            return set()
        self.env["stock.quant"].flush_model(["lot_id", "location_id", "quantity"])
        self.env.cr.execute(
            SQL(
                """
            SELECT quant.lot_id
              FROM stock_quant quant
              JOIN stock_location loc
                ON loc.id = quant.location_id AND loc.usage IN ('internal', 'transit')
             WHERE quant.lot_id = ANY(%s)
             GROUP BY quant.lot_id
            HAVING sum(quant.quantity) > 0
            """,
                list(self.ids),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    # -- status --
    def _med_release_checks(self):
        """{lot: [reasons that block its release]}. Upper addons add their checks
        (open CAPA, failed inspection, expired supplier certificate)."""
        now = fields.Datetime.now()
        # The statuses read below (the lots' and their components') hold until the
        # release commits: a hold or a nonconformance's hold of a component made
        # meanwhile conflicts with it (see _med_lock_status).
        (self | self.browse(self._med_trace_ids("upstream")))._med_lock_status()
        upstream = {lot: lot.med_trace_upstream() for lot in self}
        states = dict(self._fields["med_state"]._description_selection(self.env))
        stocked = self._med_has_stock()
        blocking = {}
        for lot in self:
            reasons = []
            if lot.med_state != "quarantine":
                reasons.append(
                    self.env._("its status is %(state)s", state=states[lot.med_state])
                )
            if lot.id not in stocked:
                reasons.append(
                    self.env._(
                        "it has no stock: a lot is released after it was received or "
                        "produced, not before"
                    )
                )
            if lot.product_id.use_expiration_date and not lot.expiration_date:
                reasons.append(self.env._("it has no expiry date"))
            if lot.expiration_date and lot.expiration_date < now:
                reasons.append(
                    self.env._(
                        "it expired on %(date)s",
                        date=fields.Date.to_string(lot.expiration_date),
                    )
                )
            unreleased = upstream[lot].filtered(lambda c: c.med_state != "released")
            if unreleased:
                reasons.append(
                    self.env._(
                        "component lots are not released: %(lots)s",
                        lots=", ".join(unreleased.mapped("display_name")),
                    )
                )
            if reasons:
                blocking[lot] = reasons
        return blocking

    def _med_raise_blocking(self, blocking, action):
        lines = [
            f"{lot.display_name} ({lot.product_id.display_name}): " + "; ".join(reasons)
            for lot, reasons in blocking.items()
        ]
        raise UserError(
            self.env._(
                "%(action)s refused:\n%(lines)s",
                action=action,
                lines="\n".join(lines),
            )
        )

    def _med_ensure_segregation(self):
        """The user who received or produced a lot may not release it."""
        if not self.env.company.med_release_segregation:
            return
        user = self.env.user
        mine = self.filtered(
            lambda lot: (lot.med_recorded_by_id or lot.create_uid) == user
        )
        if mine:
            raise UserError(
                self.env._(
                    "You received or produced %(lots)s: another QA manager must "
                    "release it (segregation of duties).",
                    lots=", ".join(mine.mapped("display_name")),
                )
            )

    def _med_ensure_qa_manager(self):
        self._med_require_group(
            QA_MANAGER, self.env._("Only a QA manager decides a lot's status.")
        )

    def action_med_release(self):
        self._med_ensure_qa_manager()
        blocking = self._med_release_checks()
        if blocking:
            self._med_raise_blocking(blocking, self.env._("Release"))
        self._med_ensure_segregation()
        return self._med_request_signature(
            "release", "_med_do_release", title=self.env._("Release Lots")
        )

    def _med_do_release(self):
        self._med_ensure_qa_manager()
        # Before the status is read: a second release of the same lot waits, then
        # fails and its retry is refused (one release, one signature).
        self._med_lock_status(change=True)
        blocking = self._med_release_checks()
        if blocking:
            self._med_raise_blocking(blocking, self.env._("Release"))
        self._med_ensure_segregation()
        self._med_protected_write().write(self._prepare_med_release_vals())
        first = self.filtered(lambda lot: not lot.med_release_date)
        if first:
            first._med_protected_write().write(
                {"med_release_date": fields.Datetime.now()}
            )

    def _med_signed_fields(self):
        # A lot's signatures covered its hold reason while the audit rule listed it;
        # the trail now keeps it as the reason of the status entry, and signatures
        # keep covering it, so that those made before still match their lot.
        return sorted({*super()._med_signed_fields(), "med_hold_reason"})

    def _prepare_med_release_vals(self):
        """Values written on these lots when a signed release passed its checks
        (extension hook: add to what a release records)."""
        return {"med_state": "released"}

    def _prepare_med_hold_vals(self, source, reason):
        """Values written on lots put on hold by ``source`` for ``reason``
        (extension hook, like the release's)."""
        return {
            "med_state": "hold",
            "med_hold_source": source,
            "med_hold_reason": reason,
        }

    def action_med_hold(self):
        self._med_ensure_qa_manager()
        return self._med_request_signature(
            "hold", "_med_do_hold", title=self.env._("Put Lots on Hold")
        )

    def _med_do_hold(self):
        held = self.filtered(lambda lot: lot.med_state == "hold")
        if held:
            # Another hold (a CAPA's, a recall's) keeps its source and reason.
            raise UserError(
                self.env._(
                    "%(lots)s are already on hold: lift that hold first.",
                    lots=", ".join(held.mapped("display_name")),
                )
            )
        self._med_put_on_hold("manual", self.env.context.get("med_reason"))

    def _med_put_on_hold(self, source, reason):
        """Hold these lots (trusted code: crons, CAPA and recall rules use it too).
        For expiry holds, a lot's own reason in the context key
        ``med_expiry_reasons`` ({lot id: text}) replaces ``reason``: one call (one
        run of what reacts to holds, like CAPA rules) still says for each lot
        when it expired. Holds of other sources made meanwhile ignore it."""
        if not reason or not reason.strip():
            raise UserError(self.env._("Say why the lots are put on hold."))
        self._med_lock_status(change=True)
        # Only the status is needed here (the daily check holds thousands of lots at
        # once), and what reacts to a hold reads, in the same query: the old values
        # of the fields it writes (automation rules) and the lot's identity (the
        # event a subscriber gets, med_integration).
        self.fetch(
            [
                "med_state",
                "med_hold_source",
                "med_hold_reason",
                "name",
                "product_id",
                "company_id",
            ]
        )
        to_hold = self.filtered(
            lambda lot: lot.med_state not in ("rejected", "recalled")
        )
        own = (source == "expiry" and self.env.context.get("med_expiry_reasons")) or {}
        by_reason = {}
        for lot in to_hold:
            by_reason.setdefault(own.get(lot.id) or reason, []).append(lot.id)
        for text, lot_ids in by_reason.items():
            self.browse(lot_ids).with_context(
                med_reason=text
            )._med_protected_write().write(self._prepare_med_hold_vals(source, text))

    def action_med_unhold(self):
        self._med_ensure_qa_manager()
        return self._med_request_signature(
            "approval", "_med_do_unhold", title=self.env._("Lift the Hold")
        )

    def _med_do_unhold(self):
        self._med_ensure_qa_manager()
        self._med_lock_status(change=True)
        not_held = self.filtered(lambda lot: lot.med_state != "hold")
        if not_held:
            raise UserError(
                self.env._(
                    "%(lots)s are not on hold.",
                    lots=", ".join(not_held.mapped("display_name")),
                )
            )
        # Back to quarantine: a lot leaves a hold only through a new release.
        self._med_set_state("quarantine", {"med_hold_source": False})

    def action_med_reject(self):
        self._med_ensure_qa_manager()
        return self._med_request_signature(
            "rejection", "_med_do_reject", title=self.env._("Reject Lots")
        )

    def _med_do_reject(self):
        self._med_ensure_qa_manager()
        self._med_set_state("rejected")

    def _med_set_state(self, state, extra=None):
        self._med_lock_status(change=True)
        self._med_protected_write().write(dict(extra or {}, med_state=state))
