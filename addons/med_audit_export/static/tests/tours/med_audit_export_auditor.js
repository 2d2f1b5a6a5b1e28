import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Data from tests/test_tour_auditor.py: lot BRL-TOUR-001 was created and its internal
// reference changed with a reason; lot BRL-TOUR-OTHER was only created.

// Each tour starts in Discuss; Medical Compliance opens on its overview
// (med_dashboard), and the trail is in the Auditor menu.
const openAuditTrailFromMenu = [
    ...stepUtils.goToAppSteps("med_audit_export.menu_med_root", "Open Medical Compliance"),
    {
        content: "It opens on the overview",
        trigger: ".o_spreadsheet_dashboard_action .o_renderer",
    },
    {
        content: "Open the Auditor menu",
        trigger: ".o_main_navbar .o_menu_sections [data-menu-xmlid='med_audit_export.menu_med_auditor']",
        run: "click",
    },
    {
        content: "and its Audit Trail",
        trigger: ".o-dropdown-item[data-menu-xmlid='med_audit_export.med_audit_entry_menu']",
        run: "click",
    },
];

// The auditor finds the audit trail from the menu and narrows it to the changes of
// one lot; the trail offers no way to add, edit or delete an entry.
registry.category("web_tour.tours").add("med_audit_export_auditor_trail", {
    steps: () => [
        ...openAuditTrailFromMenu,
        {
            content: "The trail lists both lots",
            trigger: ".o_action:has(.o_last_breadcrumb_item:contains('Audit Trail')) .o_data_row:contains('BRL-TOUR-OTHER')",
        },
        {
            content: "Search the trail for one lot",
            trigger: ".o_action:has(.o_last_breadcrumb_item:contains('Audit Trail')) .o_searchview_input",
            run: "edit BRL-TOUR-001",
        },
        {
            content: "by its record name",
            trigger: ".o_searchview_autocomplete .o_menu_item:contains('Search Record for')",
            run: "click",
        },
        {
            content: "Only that lot is left",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('BRL-TOUR-OTHER'))) .o_data_row:contains('BRL-TOUR-001')",
        },
        {
            content: "Open the filters",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Keep the changes only",
            trigger: ".o_filter_menu .o_menu_item:contains('Changes')",
            run: "click",
        },
        {
            content: "The creation is filtered out, the change with its reason stays",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Create'))) .o_data_row:contains('Label corrected after deviation DV-7')",
        },
        {
            content: "The list has no New button",
            trigger: ".o_action.o_list_view:has(.o_data_row):not(:has(.o_list_button_add))",
        },
        {
            content: "Open the change",
            trigger: ".o_data_row:contains('Label corrected after deviation DV-7') .o_data_cell[name=reason_shown]",
            run: "click",
        },
        {
            content: "The entry opens read-only, with no New button",
            trigger: ".o_action:not(:has(.o_form_button_create)) .o_form_readonly:contains('Label corrected after deviation DV-7')",
        },
    ],
});

// The auditor opens the lot itself from its trail: read-only, nothing to create,
// save or delete.
registry.category("web_tour.tours").add("med_audit_export_auditor_lot", {
    steps: () => [
        ...openAuditTrailFromMenu,
        {
            content: "Search the trail for the lot",
            trigger: ".o_action:has(.o_last_breadcrumb_item:contains('Audit Trail')) .o_searchview_input",
            run: "edit BRL-TOUR-001",
        },
        {
            content: "by its record name",
            trigger: ".o_searchview_autocomplete .o_menu_item:contains('Search Record for')",
            run: "click",
        },
        {
            content: "Open the change of the lot",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('BRL-TOUR-OTHER'))) .o_data_row:contains('Label corrected after deviation DV-7') .o_data_cell[name=reason_shown]",
            run: "click",
        },
        {
            content: "Open the lot the entry is about",
            trigger: ".o_form_readonly:contains('Label corrected after deviation DV-7') .o_statusbar_buttons button[name=action_open_record]",
            run: "click",
        },
        {
            content: "The lot opens read-only",
            trigger: ".o_form_view .o_form_readonly .o_field_widget[name=name]:contains('BRL-TOUR-001')",
        },
        {
            content: "No New, Save or Discard button",
            trigger: ".o_action:has(.o_form_readonly):not(:has(.o_form_button_create)):not(:has(.o_form_button_save)):not(:has(.o_form_button_cancel))",
        },
        {
            content: "Open the actions menu",
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "It offers printing but neither Duplicate nor Delete",
            trigger: ".o-dropdown--menu:has(.o_menu_item):not(:has(.o_menu_item:contains('Delete'))):not(:has(.o_menu_item:contains('Duplicate')))",
        },
    ],
});
