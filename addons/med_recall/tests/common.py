from odoo.addons.med_capa.tests.common import MedCapaCommon


class MedRecallCommon(MedCapaCommon):
    """Real genealogy on the syringe line of med_lot_trace: barrel + plunger lots ->
    body lot (MRP) -> syringe lot (MRP), and syringes shipped to two customers.

    Stock after set-up: 40 barrels of BRL-R1, 25 syringes of SYR-R1 in WH/Stock;
    20 syringes at the hospital, 15 at the distributor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hospital.write({"email": "devices@ruijin.example.com", "lang": "en_US"})
        cls.distributor.write({"email": "qa@sinopharm.example.com"})
        cls.barrel_lot = cls._lot(cls.barrel, "BRL-R1", 100)
        cls.plunger_lot = cls._lot(cls.plunger, "PLG-R1", 100)
        cls.needle_lot = cls._lot(cls.needle, "NDL-R1", 100)
        cls.body_lot = cls._produce(
            cls.bom_body, 60, "BODY-R1", {cls.barrel_lot: 60, cls.plunger_lot: 60}
        )
        cls.syringe_lot = cls._produce(
            cls.bom_syringe, 60, "SYR-R1", {cls.body_lot: 60, cls.needle_lot: 60}
        )
        cls.delivery_hospital = cls._deliver(cls.hospital, [(cls.syringe_lot, 20)])
        cls.delivery_distributor = cls._deliver(
            cls.distributor, [(cls.syringe_lot, 15)]
        )
        cls.Recall = cls.env["med.recall"]

    @classmethod
    def _open_recall(cls, lots=None, **values):
        return cls.Recall.with_user(cls.qa_manager).create(
            dict(
                {
                    "title": "Barrel cracks at the tip",
                    "lot_ids": [(6, 0, (lots or cls.barrel_lot).ids)],
                    "nmpa_level": "2",
                    "fda_class": "II",
                    "depth": "retail",
                    "reason": "Barrels of lot BRL-R1 crack at the luer tip.",
                    "health_hazard": "Leak during injection; under-dosing possible.",
                    "date_discovered": "2026-11-18",
                    "date_decision": "2026-11-20",
                    "date_target": "2026-12-31",
                },
                **values,
            )
        )

    def _launch(self, recall, user=None, password=None):
        action = recall.with_user(user or self.qa_manager).action_launch()
        return self._sign(action, user or self.qa_manager, password=password)

    def _line(self, recall, partner, lot=None):
        return recall.line_ids.filtered(
            lambda line: line.partner_id == partner
            and line.lot_id == (lot or self.syringe_lot)
        )

    def _export_report(self, recall, user, file_format="xlsx", **context):
        """The authority report as ``user`` exports it: the recall's button opens
        the dossier engine's dialog, which exports and records the file."""
        action = recall.with_user(user).action_export_report()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(action["context"], **context)
            .create({"file_format": file_format})
        )
        download = wizard.action_export()
        return self.env[download["res_model"]].browse(download["res_id"])
