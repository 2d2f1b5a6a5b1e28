from odoo.tests import HttpCase, tagged

# Waits on what the page shows, never on time: 2-core CI machines are slow.
UNFOLD_TREE = """
(async () => {
    const until = async (check, what) => {
        for (let i = 0; i < 400; i++) {
            const found = check();
            if (found) {
                return found;
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error(`never shown: ${what}`);
    };
    const nodes = () => [...document.querySelectorAll(".o_hierarchy_node")];
    const text = () => nodes().map((node) => node.textContent).join(" | ");
    // The traced lot opens with the lots made from it, not further.
    await until(() => nodes().length === 3, "the lot and the two lots made from it");
    for (const shown of ["TREE-ROOT", "TREE-BODY-1", "TREE-BODY-2", "Tree Body"]) {
        if (!text().includes(shown)) {
            throw new Error(`${shown} not in ${text()}`);
        }
    }
    if (text().includes("TREE-SYR")) {
        throw new Error("the third level is shown before it is unfolded");
    }
    const body = nodes().find((node) => node.textContent.includes("TREE-BODY-1"));
    body.querySelector("button[name='hierarchy_search_subsidiaries']").click();
    await until(() => text().includes("TREE-SYR"), "the lot made from TREE-BODY-1");
    console.log("test successful");
})().catch((error) => console.error(error.message));
"""


@tagged("post_install", "-at_install")
class TestGenealogyTreeView(HttpCase):
    def test_tree_unfolds_from_the_traced_lot(self):
        product = self.env["product.product"].create(
            {"name": "Tree Body", "is_storable": True, "tracking": "lot"}
        )
        lots = self.env["stock.lot"].create(
            [
                {"name": name, "product_id": product.id}
                for name in ("TREE-ROOT", "TREE-BODY-1", "TREE-BODY-2", "TREE-SYR")
            ]
        )
        genealogy = self.env["med.lot.genealogy"].create({"lot_id": lots[0].id})
        Line = self.env["med.lot.genealogy.line"]

        def line(lot, level, parent=False, kind="link"):
            return Line.create(
                {
                    "genealogy_id": genealogy.id,
                    "lot_id": lot.id,
                    "product_id": product.id,
                    "level": level,
                    "kind": kind,
                    "parent_id": parent and parent.id,
                    "quantity": 10,
                }
            )

        root = line(lots[0], 0, kind="lot")
        body = line(lots[1], 1, root)
        line(lots[2], 1, root)
        line(lots[3], 2, body)
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "Genealogy",
                "res_model": "med.lot.genealogy.line",
                "view_mode": "hierarchy",
                "domain": [("genealogy_id", "=", genealogy.id)],
            }
        )
        self.browser_js(
            f"/odoo/action-{action.id}", UNFOLD_TREE, "odoo.isReady", login="admin"
        )
