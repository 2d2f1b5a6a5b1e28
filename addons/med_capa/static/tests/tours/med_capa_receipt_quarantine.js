import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Data from tests/test_tour_receipt.py: a receipt of barrels from Weigao Components
// Co., ready; the warehouse segregates (a quarantine location) and a receiving
// inspection is triggered for barrels. The warehouse user works in Chinese: the
// selectors do not depend on the language.

// The warehouse user opens the receipt from the menus, records the supplier's lot
// number, validates, and is told where the lot went and which inspection waits.
registry.category("web_tour.tours").add("med_capa_receipt_quarantine", {
    steps: () => [
        ...stepUtils.goToAppSteps("stock.menu_stock_root", "Open Inventory"),
        {
            content: "Open the Operations menu",
            trigger: ".o_main_navbar [data-menu-xmlid='stock.menu_stock_warehouse_mgmt']",
            run: "click",
        },
        {
            content: "Open the receipts",
            trigger: ".o-dropdown-item[data-menu-xmlid='stock.in_picking']",
            run: "click",
        },
        {
            content: "Open the receipt from Weigao Components",
            trigger: ".o_list_view .o_data_row:contains('Weigao Components') .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "Open the detailed operations of the barrels",
            trigger: ".o_form_view .o_field_widget[name=move_ids_without_package] .o_data_row:contains('Barrel 5 ml') .fa-list",
            run: "click",
        },
        {
            content: "Click the lot number of the proposed line",
            trigger: ".modal .o_data_row .o_data_cell[name=lot_name]",
            run: "click",
        },
        {
            content: "Type the supplier's lot number",
            trigger: ".modal .o_data_row .o_field_widget[name=lot_name] input",
            run: "edit TOUR-RCV-001",
        },
        {
            content: "Save the detailed operations",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "Validate the receipt",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_buttons button[name=button_validate]",
            run: "click",
        },
        {
            content: "The receipt is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=done]",
        },
        {
            content: "The receipt says the lot waits in quarantine and names its inspection",
            trigger: ".o-mail-Message-body:contains('TOUR-RCV-001'):contains('QC-')",
        },
    ],
});
