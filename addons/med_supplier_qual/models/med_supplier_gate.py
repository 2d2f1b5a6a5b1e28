from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import in_categories

NAMED_PRODUCTS = 5

# The gates lock what they decide on, in one statement, before reading it. Odoo runs
# REPEATABLE READ: without a lock, a suspension, a revocation or a withdrawn list entry
# committed after this transaction's snapshot stays invisible to it and nothing
# conflicts, so an order is confirmed (a receipt done) after the supplier was
# suspended. With FOR SHARE, such a change committed first makes the lock fail with a
# serialization error that Odoo retries (the retry sees the change and refuses), and a
# change that comes later waits until the decision commits. The lock is on the reading
# side because the writers are many (signed decisions, the expiry job, evaluations,
# forms, imports, RPC) and the readers are these gates; shared locks let decisions on
# the same supplier run side by side. Rows inserted meanwhile need no lock: they can
# only add evidence (one valid certificate or list entry suffices). The configuration
# (certificate types, company modes) is not locked: it is not a status.
SUPPLIER_EVIDENCE_LOCK = """
    WITH partners AS (
        SELECT id FROM res_partner WHERE id = ANY(%(partners)s) FOR SHARE
    ), certificates AS (
        SELECT id FROM med_supplier_certificate
         WHERE partner_id = ANY(%(partners)s) AND company_id = %(company)s
           FOR SHARE
    ), entries AS (
        SELECT id FROM med_approved_supplier
         WHERE partner_id = ANY(%(partners)s) AND company_id = %(company)s
           FOR SHARE
    )
    SELECT (SELECT count(*) FROM partners),
           (SELECT count(*) FROM certificates),
           (SELECT count(*) FROM entries)
"""
CUSTOMER_EVIDENCE_LOCK = """
    WITH certificates AS (
        SELECT id FROM med_supplier_certificate
         WHERE partner_id = ANY(%(partners)s) AND company_id = %(company)s
           AND type_id = ANY(%(types)s)
           FOR SHARE
    ), templates AS (
        SELECT id FROM product_template WHERE id = ANY(%(templates)s) FOR SHARE
    )
    SELECT (SELECT count(*) FROM certificates), (SELECT count(*) FROM templates)
"""

# The approved first-operation reviews a confirmation relies on: a revocation
# committed meanwhile conflicts instead of going unseen (REPEATABLE READ).
FIRST_OPERATION_LOCK = """
    SELECT id FROM med_first_operation
     WHERE company_id = %(company)s AND state = 'approved'
       AND ((kind = %(kind)s AND partner_id = %(partner)s)
            OR (kind = 'product' AND product_tmpl_id = ANY(%(templates)s)))
       FOR SHARE
"""


class MedSupplierGate(models.AbstractModel):
    """The supplier gates shared by purchase confirmation and receipt validation:
    is this supplier approved for this product, with valid certificates, on this day?
    And the customer gate of deliveries (购货者资格审核): does this customer hold a
    valid licence to buy medical devices on the day of delivery?

    Reads everything it needs in a constant number of queries, whatever the number of
    lines: the certificates, approved supplier list entries and types of the suppliers
    involved are searched once and matched in memory.
    """

    _name = "med.supplier.gate"
    _description = "Supplier Qualification Gates"

    @api.model
    def _med_gated_products(self, products):
        """The products the gates apply to: storable, not exempt themselves nor by
        their category (or a parent category)."""
        exempt_categories = (
            self.env["product.category"]
            .sudo()
            .search([("med_supplier_gate_exempt", "=", True)])
        )
        return products.filtered(
            lambda p: p.is_storable
            and not p.med_supplier_gate_exempt
            and not in_categories(p.categ_id, exempt_categories)
        )

    @api.model
    def _med_violations(self, company, pairs, day):
        """Messages for the (supplier, product) ``pairs`` that break the gates on
        ``day`` for ``company``; empty when all pass."""
        # a date, also when the caller's today came as a string (Odoo's own tests
        # patch fields.Date.context_today to return one)
        day = fields.Date.to_date(day)
        products = self._med_gated_products(
            self.env["product.product"].union(*(product for _, product in pairs))
        )
        pairs = [
            (partner.commercial_partner_id, product)
            for partner, product in pairs
            if product in products
        ]
        if not pairs:
            return []
        partners = self.env["res.partner"].union(*(partner for partner, _ in pairs))
        evidence = self._med_evidence(company, partners, day)
        by_partner = defaultdict(list)
        for partner, product in pairs:
            by_partner[partner].append(product)
        messages = []
        for partner, partner_products in by_partner.items():
            partner_products = self.env["product.product"].union(*partner_products)
            messages += self._med_supplier_messages(partner, partner_products, evidence)
            for product in partner_products:
                messages += self._med_product_messages(partner, product, evidence)
        return messages

    @api.model
    def _med_evidence(self, company, partners, day):
        """What the gates need about ``partners`` for ``company`` on ``day``, read in
        three searches and indexed, so matching stays linear in the lines (a supplier
        may have one registration certificate and one list entry per product)."""
        self.env.cr.execute(
            SQL(
                SUPPLIER_EVIDENCE_LOCK,
                partners=partners.ids,
                company=company.id,
            )
        )
        # sudo: the gates read the evidence whoever validates (a warehouse user does
        # not manage certificates); they only decide, they show nothing else.
        domain = [("partner_id", "in", partners.ids), ("company_id", "=", company.id)]
        certificates = self.env["med.supplier.certificate"].sudo().search(domain)
        entries = self.env["med.approved.supplier"].sudo().search(domain)
        types = (
            self.env["med.certificate.type"]
            .sudo()
            .search([("mandatory", "=", True), ("applies_to", "!=", "customer")])
        )
        evidence = {
            "day": day,
            "date": fields.Date.to_string(day),
            "allowed": self.env["res.partner"]._med_allowed_supplier_states(company),
            "require_verified": company.med_require_verified_certificates,
            "states": dict(
                partners._fields["med_supplier_state"]._description_selection(self.env)
            ),
            "supplier_types": types.filtered(lambda t: t.scope == "supplier"),
            "product_types": types.filtered(lambda t: t.scope == "product"),
            "certificates": defaultdict(certificates.browse),
            "product_certificates": defaultdict(certificates.browse),
            "category_certificates": defaultdict(certificates.browse),
            "product_entries": defaultdict(entries.browse),
            "category_entries": defaultdict(entries.browse),
        }
        for certificate in certificates:
            key = (certificate.partner_id, certificate.type_id)
            evidence["certificates"][key] |= certificate
            for product in certificate.product_ids:
                evidence["product_certificates"][key + (product,)] |= certificate
            if certificate.categ_ids:
                evidence["category_certificates"][key] |= certificate
        for entry in entries:
            if entry.product_id:
                key = (entry.partner_id, entry.product_id)
                evidence["product_entries"][key] |= entry
            else:
                evidence["category_entries"][entry.partner_id] |= entry
        return evidence

    @api.model
    def _med_supplier_messages(self, partner, products, evidence):
        """The supplier's own qualification and its supplier-level certificates."""
        messages = []
        if partner.med_supplier_state not in evidence["allowed"]:
            messages.append(
                self.env._(
                    "Supplier %(supplier)s is %(state)s, not approved (products: "
                    "%(products)s; date %(date)s)",
                    supplier=partner.display_name,
                    state=evidence["states"][partner.med_supplier_state],
                    products=self._med_names(products),
                    date=evidence["date"],
                )
            )
        for kind in evidence["supplier_types"]:
            if not kind._med_required_for_partner(partner):
                continue
            problem = self._med_certificate_problem(
                evidence["certificates"][(partner, kind)],
                evidence["day"],
                evidence["require_verified"],
            )
            if problem:
                messages.append(
                    self.env._(
                        "Supplier %(supplier)s, %(type)s: %(problem)s (products: "
                        "%(products)s; date %(date)s)",
                        supplier=partner.display_name,
                        type=kind.name,
                        problem=problem,
                        products=self._med_names(products),
                        date=evidence["date"],
                    )
                )
        return messages

    @api.model
    def _med_product_messages(self, partner, product, evidence):
        """The approved supplier list and the product-level certificates."""
        messages = []
        listed = (
            evidence["product_entries"][(partner, product)]
            | evidence["category_entries"][partner]
        )
        if not any(
            entry._med_covers(product, evidence["day"], evidence["allowed"])
            for entry in listed
        ):
            messages.append(
                self.env._(
                    "Supplier %(supplier)s is not on the approved supplier list for "
                    "%(product)s on %(date)s",
                    supplier=partner.display_name,
                    product=product.display_name,
                    date=evidence["date"],
                )
            )
        for kind in evidence["product_types"]:
            if not kind._med_required_for_product(product):
                continue
            covering = evidence["product_certificates"][
                (partner, kind, product)
            ] | evidence["category_certificates"][(partner, kind)].filtered(
                lambda c, p=product: c._med_covers(p)
            )
            problem = self._med_certificate_problem(
                covering, evidence["day"], evidence["require_verified"]
            )
            if problem:
                messages.append(
                    self.env._(
                        "Supplier %(supplier)s, product %(product)s, %(type)s: "
                        "%(problem)s (date %(date)s)",
                        supplier=partner.display_name,
                        product=product.display_name,
                        type=kind.name,
                        problem=problem,
                        date=evidence["date"],
                    )
                )
        return messages

    @api.model
    def _med_certificate_problem(self, certificates, day, require_verified):
        """Why none of ``certificates`` (all of one type) is valid on ``day``, or
        None when one is."""
        if certificates._med_valid_on(day, require_verified):
            return None
        if not certificates:
            return self.env._("missing")
        if certificates._med_valid_on(day, require_verified=False):
            return self.env._(
                "%(number)s is not verified by QA",
                number=certificates[0].number,
            )
        latest = certificates.sorted(
            lambda c: c.expiry_date or fields.Date.to_date("1900-01-01")
        )[-1]
        if latest.issue_date and latest.issue_date > day:
            return self.env._(
                "%(number)s is valid only from %(issued)s",
                number=latest.number,
                issued=fields.Date.to_string(latest.issue_date),
            )
        return self.env._(
            "%(number)s expired on %(expiry)s",
            number=latest.number,
            expiry=fields.Date.to_string(latest.expiry_date),
        )

    @api.model
    def _med_names(self, records):
        names = records[:NAMED_PRODUCTS].mapped("display_name")
        if len(records) > NAMED_PRODUCTS:
            names.append("…")
        return ", ".join(names)

    @api.model
    def _med_customer_certificates(self, company, partners):
        """(the certificate types that qualify a customer, the certificates of those
        types that ``partners`` hold in ``company``), in two queries."""
        # sudo: the customers' certificates are read whoever ships or exports (a
        # warehouse user does not manage certificates); they decide, nothing more.
        types = (
            self.env["med.certificate.type"]
            .sudo()
            .search([("applies_to", "in", ("customer", "both"))])
        )
        certificates = (
            self.env["med.supplier.certificate"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "=", company.id),
                    ("type_id", "in", types.ids),
                ]
            )
        )
        return types, certificates

    @api.model
    def _med_customer_violations(self, company, pairs, day):
        """Messages for the (customer, product) ``pairs`` of deliveries that break
        the customer gate on ``day`` for ``company``; empty when all pass. A customer
        is qualified when its commercial partner holds one certificate of a customer
        type valid on ``day`` (verified by QA when the company asks for it); only
        storable lot- or serial-tracked products that are not exempt are gated."""
        day = fields.Date.to_date(day)
        products = self._med_gated_products(
            self.env["product.product"].union(*(product for _, product in pairs))
        ).filtered(lambda p: p.tracking != "none")
        by_partner = defaultdict(list)
        for partner, product in pairs:
            if product in products:
                by_partner[partner.commercial_partner_id].append(product)
        if not by_partner:
            return []
        partners = self.env["res.partner"].union(*by_partner)
        types, certificates = self._med_customer_certificates(company, partners)
        # see SUPPLIER_EVIDENCE_LOCK: a licence revoked meanwhile (here, not in
        # _med_customer_certificates, which the sales record export reads too)
        self.env.cr.execute(
            SQL(
                CUSTOMER_EVIDENCE_LOCK,
                partners=partners.ids,
                company=company.id,
                types=types.ids,
                templates=products.product_tmpl_id.ids,
            )
        )
        require_verified = company.med_require_verified_certificates
        date = fields.Date.to_string(day)
        messages = []
        for partner, partner_products in by_partner.items():
            names = self._med_names(
                self.env["product.product"].union(*partner_products)
            )
            if not partner:
                messages.append(
                    self.env._(
                        "A delivery of %(products)s names no customer: set the "
                        "customer so that its licence can be checked ("
                        "date %(date)s)",
                        products=names,
                        date=date,
                    )
                )
                continue
            held = certificates.filtered(lambda c, p=partner: c.partner_id == p)
            if not held:
                messages.append(
                    self.env._(
                        "Customer %(customer)s holds no qualification certificate "
                        "(%(types)s) (products: %(products)s; date "
                        "%(date)s)",
                        customer=partner.display_name,
                        types=", ".join(types.mapped("name")),
                        products=names,
                        date=date,
                    )
                )
                continue
            problem = self._med_certificate_problem(held, day, require_verified)
            if problem:
                messages.append(
                    self.env._(
                        "Customer %(customer)s is not qualified: %(problem)s "
                        "(products: %(products)s; date %(date)s)",
                        customer=partner.display_name,
                        problem=problem,
                        products=names,
                        date=date,
                    )
                )
                continue
            valid = held._med_valid_on(day, require_verified)
            messages += self._med_scope_messages(partner, partner_products, valid, date)
        return messages

    @api.model
    def _med_scope_messages(self, partner, products, licences, date):
        """The devices among ``products`` whose classification code the business
        scope (经营范围) of the customer's valid ``licences`` does not cover; devices
        without a classification code are not checked."""
        messages = []
        for product in self.env["product.product"].union(*products):
            code = (product.med_classification_code or "").strip()
            if code and not licences._med_scope_covers(code):
                messages.append(
                    self.env._(
                        "Customer %(customer)s may not buy %(product)s: its licence "
                        "%(licences)s does not cover classification code %(code)s in "
                        "its business scope (date %(date)s)",
                        customer=partner.display_name,
                        product=product.display_name,
                        licences=", ".join(licences.mapped("number")),
                        code=code,
                        date=date,
                    )
                )
        return messages

    @api.model
    def _med_first_operation_messages(self, company, kind, partner, products):
        """Messages for a purchase (``kind`` supplier) or a sale (customer) from or
        to ``partner`` of ``products`` in ``company`` that no approved
        first-operation review covers: the company itself (首营企业) and each
        gated device (首营品种)."""
        partner = partner.commercial_partner_id
        products = self._med_gated_products(products)
        if not products:
            # no device (office supplies, services): no first operation to review
            return []
        self.env.cr.execute(
            SQL(
                FIRST_OPERATION_LOCK,
                company=company.id,
                kind=kind,
                partner=partner.id or 0,
                templates=products.product_tmpl_id.ids,
            )
        )
        # sudo: whoever confirms (a buyer, a salesperson) the gate reads the
        # approvals it decides on; it shows nothing else of them.
        approvals = (
            self.env["med.first.operation"]
            .sudo()
            .search([("company_id", "=", company.id), ("state", "=", "approved")])
        )
        messages = []
        if partner and not approvals.filtered(
            lambda a: a.kind == kind and a.partner_id == partner
        ):
            if kind == "supplier":
                messages.append(
                    self.env._(
                        "Supplier %(partner)s has no approved first-operation review",
                        partner=partner.display_name,
                    )
                )
            else:
                messages.append(
                    self.env._(
                        "Customer %(partner)s has no approved first-operation review",
                        partner=partner.display_name,
                    )
                )
        approved_templates = approvals.filtered(
            lambda a: a.kind == "product"
        ).product_tmpl_id
        unreviewed = products.filtered(
            lambda p: p.product_tmpl_id not in approved_templates
        )
        if unreviewed:
            messages.append(
                self.env._(
                    "%(products)s: no approved first-operation review of the device",
                    products=self._med_names(unreviewed),
                )
            )
        return messages
