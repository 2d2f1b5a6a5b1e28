import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Data from tests/test_tour_recall.py: a draft recall of barrel lot BRL-R1, whose
// syringes (SYR-R1) went to Ruijin Hospital and Sinopharm East, and a delivery of
// BRL-R1 picked by the warehouse.

// The QA manager approves and launches the recall with an electronic signature, then
// sends the letters. From the menus: Quality Control > Nonconformance and CAPA >
// Recalls.
registry.category("web_tour.tours").add("med_recall_launch_signed", {
    steps: () => [
        ...stepUtils.goToAppSteps("quality_control_oca.qc_menu", "Open Quality Control"),
        {
            content: "Open the Nonconformance and CAPA menu",
            trigger: ".o_main_navbar [data-menu-xmlid='med_capa.menu_med_capa_root']",
            run: "click",
        },
        {
            content: "Open the recalls",
            trigger: ".o-dropdown-item[data-menu-xmlid='med_recall.med_recall_menu']",
            run: "click",
        },
        {
            content: "Open the draft recall of the cracked barrels",
            trigger: ".o_list_view .o_data_row:contains('Barrel cracks at the tip') .o_data_cell[name=title]",
            run: "click",
        },
        {
            content: "The draft recall shows its frozen reconciliation",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Draft')",
        },
        {
            content: "Approve and launch",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_launch]",
            run: "click",
        },
        {
            content: "The signature asks for the comment",
            trigger: ".modal .o_field_widget[name=comment] textarea, .modal .o_field_widget[name=comment] input",
            run: "edit Health hazard assessed by the safety board",
        },
        {
            content: "the first signature of the session asks for the login too",
            trigger: ".modal .o_field_widget[name=login] input",
            run: "edit med_qa_manager",
        },
        {
            content: "and the password again",
            trigger: ".modal .o_field_widget[name=password] input",
            run: "edit med_qa_manager",
        },
        {
            content: "Sign",
            trigger: ".modal .modal-footer button[name=action_sign]",
            run: "click",
        },
        {
            content: "The recall is launched (its ribbon says so)",
            trigger: "body:not(:has(.modal)) .o_form_view .ribbon:contains('Recall in Progress')",
        },
        {
            content: "Send the letters",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_send_notifications]",
            run: "click",
        },
        {
            content: "Open the notifications",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Notifications')",
            run: "click",
        },
        {
            content: "Both customers' letters are sent",
            trigger: ".o_form_view .o_field_widget[name=notification_ids] .o_data_row:contains('Ruijin Hospital'):contains('Sent') ~ .o_data_row:contains('Sent'), .o_form_view .o_field_widget[name=notification_ids] .o_data_row:contains('Sent') ~ .o_data_row:contains('Ruijin Hospital'):contains('Sent')",
        },
    ],
});

// The warehouse user tries to ship the recalled lot and is told which recall holds it.
registry.category("web_tour.tours").add("med_recall_delivery_blocked", {
    steps: () => [
        // From the menus: Inventory > Operations > Deliveries.
        ...stepUtils.goToAppSteps("stock.menu_stock_root", "Open Inventory"),
        {
            content: "Open the Operations menu",
            trigger: ".o_main_navbar [data-menu-xmlid='stock.menu_stock_warehouse_mgmt']",
            run: "click",
        },
        {
            content: "Open the deliveries",
            trigger: ".o-dropdown-item[data-menu-xmlid='stock.out_picking']",
            run: "click",
        },
        {
            content: "Open the ready delivery to Ruijin Hospital (earlier ones are done)",
            trigger: ".o_list_view .o_data_row:contains('Ruijin Hospital'):has(.o_data_cell[name=state]:contains('Ready')) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "The delivery of the recalled lot is open",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('Ruijin Hospital')",
        },
        {
            content: "Validate the delivery",
            trigger: ".o_form_view .o_statusbar_buttons button[name=button_validate]:visible",
            run: "click",
        },
        {
            content: "The refusal names the lot and the recall",
            trigger: ".modal .o_error_dialog .text-prewrap:contains('BRL-R1'):contains('is recalled (RCL/')",
        },
        {
            content: "Close the message",
            trigger: ".modal .o_error_dialog .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The delivery is not done",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Ready')",
        },
    ],
});
