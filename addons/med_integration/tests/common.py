from odoo import Command

from odoo.addons.med_capa.tests.common import MedCapaCommon


class MedIntegrationCommon(MedCapaCommon):
    """The syringe line of med_capa with a laboratory test: a measured barrel
    length (60-62 mm) and a visual check of the tip."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.barrel.default_code = "BRL-5ML"
        mm = cls.env.ref("uom.product_uom_millimeter")
        cls.lab_test = cls.env["qc.test"].create(
            {
                "name": "Barrel dimensions",
                "test_lines": [
                    Command.create(
                        {
                            "name": "Barrel length",
                            "type": "quantitative",
                            "min_value": 60.0,
                            "max_value": 62.0,
                            "uom_id": mm.id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Tip burrs",
                            "type": "qualitative",
                            "ql_values": [
                                Command.create({"name": "None", "ok": True}),
                                Command.create({"name": "Found", "ok": False}),
                            ],
                        }
                    ),
                ],
            }
        )
        cls.barrel_lot = cls._lot(cls.barrel, "BRL-LAB-01", qty=100)
        cls.Import = cls.env["med.lims.import"]

    def _results(self, length="61.0", burrs="None", lab_ref="LAB-1", **overrides):
        rows = [
            {
                "lot": "BRL-LAB-01",
                "product": "BRL-5ML",
                "test": "Barrel dimensions",
                "question": "Barrel length",
                "value": length,
                "unit": "mm",
                "date": "2026-05-04",
                "lab_ref": lab_ref,
            },
            {
                "lot": "BRL-LAB-01",
                "product": "BRL-5ML",
                "test": "Barrel dimensions",
                "question": "Tip burrs",
                "value": burrs,
                "date": "2026-05-04",
                "lab_ref": lab_ref,
            },
        ]
        rows[0].update(overrides)
        return rows
