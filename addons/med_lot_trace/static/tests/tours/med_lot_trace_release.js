import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Data from tests/test_tour_lot_release.py: a delivery to Ruijin Hospital of lot
// TOUR-SYR-001, still in quarantine, picked by the warehouse. Each tour starts from
// the menus, as the user would; the selectors do not depend on the language (the
// warehouse user and the QA manager work in Chinese).

// Inventory > Operations > Deliveries, then the delivery to Ruijin Hospital.
const openDeliveryFromMenu = [
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
        content: "Open the delivery to Ruijin Hospital",
        trigger: ".o_list_view .o_data_row:contains('Ruijin Hospital') .o_data_cell[name=name]",
        run: "click",
    },
];

// Inventory > Products > Lots/Serial Numbers, then the lot by its name.
const openLotFromMenu = [
    ...stepUtils.goToAppSteps("stock.menu_stock_root", "Open Inventory"),
    {
        content: "Open the Products menu",
        trigger: ".o_main_navbar [data-menu-xmlid='stock.menu_stock_inventory_control']",
        run: "click",
    },
    {
        content: "Open the lots",
        trigger: ".o-dropdown-item[data-menu-xmlid='stock.menu_action_production_lot_form']",
        run: "click",
    },
    {
        content: "Search the lot",
        trigger: ".o_control_panel .o_searchview_input",
        run: "edit TOUR-SYR-001",
    },
    {
        content: "by its number",
        trigger: ".o_control_panel .o_searchview_input",
        run: "press Enter",
    },
    {
        content: "Open the lot",
        trigger: ".o_list_view .o_data_row .o_data_cell[name=name]:contains('TOUR-SYR-001')",
        run: "click",
    },
];

const validate = {
    content: "Validate the delivery",
    trigger: ".o_form_view .o_statusbar_buttons button[name=button_validate]:visible",
    run: "click",
};

// The warehouse user tries to ship the unreleased lot and is refused.
registry.category("web_tour.tours").add("med_lot_trace_delivery_blocked", {
    steps: () => [
        ...openDeliveryFromMenu,
        {
            content: "The delivery of the quarantined lot is open",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('Ruijin Hospital')",
        },
        validate,
        {
            content: "The lot gate names the lot (in the user's language: Chinese)",
            trigger: ".modal .o_error_dialog .text-prewrap:contains('TOUR-SYR-001'):contains('未放行')",
        },
        {
            content: "Close the message",
            trigger: ".modal .o_error_dialog .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The delivery is still ready, not done",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=assigned]",
        },
    ],
});

// The QA manager releases the lot with an electronic signature.
registry.category("web_tour.tours").add("med_lot_trace_release_signed", {
    steps: () => [
        ...openLotFromMenu,
        {
            content: "The lot is open, in quarantine",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=quarantine]",
        },
        {
            content: "Release the lot",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_med_release]",
            run: "click",
        },
        {
            content: "The signature asks for the reason",
            trigger: ".modal .o_field_widget[name=comment] textarea, .modal .o_field_widget[name=comment] input",
            run: "edit Sterility and batch record reviewed",
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
            content: "The lot is released",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=released]",
        },
    ],
});

// The warehouse user ships the released lot.
registry.category("web_tour.tours").add("med_lot_trace_delivery_shipped", {
    steps: () => [
        ...openDeliveryFromMenu,
        {
            content: "The delivery is open",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('Ruijin Hospital')",
        },
        validate,
        {
            content: "The delivery is done",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=done]",
        },
    ],
});
