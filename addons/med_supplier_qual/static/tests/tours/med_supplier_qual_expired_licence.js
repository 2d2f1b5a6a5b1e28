import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The purchase user tries to confirm a request for quotation to a supplier whose
// business licence has expired (data from test_tour_expired_licence.py): the
// supplier gate refuses with a message that names the supplier, the certificate
// and its expiry date, and the order stays a draft.
registry.category("web_tour.tours").add("med_supplier_qual_expired_licence", {
    steps: () => [
        // From the menus: Purchase opens on its requests for quotation.
        ...stepUtils.goToAppSteps("purchase.menu_purchase_root", "Open Purchase"),
        {
            content: "Open the request for quotation to the supplier",
            trigger: ".o_list_view .o_data_row:contains('Barrel Supplier Co.') .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "The request for quotation to the supplier is open",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('Barrel Supplier Co.')",
        },
        {
            content: "Confirm the order",
            trigger: ".o_form_view .o_statusbar_buttons button[name=button_confirm]:visible",
            run: "click",
        },
        {
            content: "The gate names the supplier and its expired business licence",
            trigger: ".modal .o_error_dialog .text-prewrap:contains('Supplier qualification check failed'):contains('Barrel Supplier Co.'):contains('Business licence'):contains('91320500-BL'):contains('expired on')",
        },
        {
            content: "Close the message",
            trigger: ".modal .o_error_dialog .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The order is still a request for quotation",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains('RFQ')",
        },
    ],
});
