import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Data from tests/test_tour_auditor_dossier.py: lot TOUR-DHR-001 of syringes in stock.

// The auditor finds the lot from the Auditor menu, reads it without any way to change
// it, and exports its lot dossier (DHR) from the Print menu.
registry.category("web_tour.tours").add("med_lot_trace_auditor_dossier", {
    steps: () => [
        ...stepUtils.goToAppSteps("med_audit_export.menu_med_root", "Open Medical Compliance"),
        {
            // Wait for the app's first page (the overview dashboard, or the Audit
            // Trail without med_dashboard) before leaving it: the search below must
            // not type into a page that is being replaced.
            content: "Medical Compliance opens on its first page",
            trigger: ".o_spreadsheet_dashboard_action .o_renderer, .o_action .o_last_breadcrumb_item:contains('Audit Trail')",
        },
        {
            content: "Open the Auditor menu",
            trigger: ".o_main_navbar [data-menu-xmlid='med_audit_export.menu_med_auditor']",
            run: "click",
        },
        {
            content: "Open the lots",
            trigger: ".o-dropdown-item[data-menu-xmlid='med_lot_trace.stock_lot_auditor_menu']",
            run: "click",
        },
        {
            content: "Search the lot",
            trigger: ".o_action:has(.o_last_breadcrumb_item:contains('Lots / Serial Numbers')) .o_searchview_input",
            run: "edit TOUR-DHR-001",
        },
        {
            content: "by its number",
            trigger: ".o_searchview_autocomplete .o_menu_item:contains('Search Lot/Serial Number for')",
            run: "click",
        },
        {
            content: "The list has no New button; open the lot",
            trigger: ".o_action.o_list_view:not(:has(.o_list_button_add)):has(.o_searchview_facet:contains('TOUR-DHR-001')) .o_data_row:contains('TOUR-DHR-001') .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "The lot opens read-only, with no New button",
            trigger: ".o_action:not(:has(.o_form_button_create)) .o_form_readonly .o_field_widget[name=name]:contains('TOUR-DHR-001')",
        },
        {
            content: "Open the actions menu",
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Neither Duplicate nor Delete is offered; open Print",
            trigger: ".o-dropdown--menu:not(:has(.o_menu_item:contains('Delete'))):not(:has(.o_menu_item:contains('Duplicate'))) button:has(.fa-print)",
            run: "click",
        },
        {
            content: "Print the lot dossier",
            trigger: ".o-dropdown--menu .o_menu_item:contains('Lot Dossier (DHR)')",
            run: "click",
        },
        {
            content: "The dossier is about the lot",
            trigger: ".modal .o_field_widget[name=record_names]:contains('TOUR-DHR-001')",
        },
        {
            content: "Export it",
            trigger: ".modal .modal-footer button[name=action_export]",
            run: "click",
        },
        {
            content: "The file is downloaded at once, as every export's; close the dialog",
            trigger: ".modal .modal-footer:has(button[name=action_export]:enabled) button[special=cancel]",
            run: "click",
        },
        {
            content: "Open the Auditor menu again",
            trigger: "body:not(:has(.modal)) .o_main_navbar [data-menu-xmlid='med_audit_export.menu_med_auditor']",
            run: "click",
        },
        {
            content: "Open the evidence exports",
            trigger: ".o-dropdown-item[data-menu-xmlid='med_audit_export.med_audit_export_menu']",
            run: "click",
        },
        {
            content: "The lot dossier export is recorded, done",
            trigger: ".o_list_view .o_data_row:contains('TOUR-DHR-001'):contains('Excel')",
        },
    ],
});
