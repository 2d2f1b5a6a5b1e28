import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Data from tests/test_tour_cockpit.py: barrel lots TOUR-BRL-GREEN-1 and
// TOUR-BRL-GREEN-2 received and clean; TOUR-BRL-RED received (100) but only 10
// inspected, a blocking exception. All three wait in quarantine.

const row = (lot) => `.o_data_row:has(.o_data_cell[name=name]:contains('${lot}'))`;
const cockpit = ".o_action.o_list_view:has(.o_last_breadcrumb_item:contains('Release Cockpit'))";
const releaseTime = ".o_action:has(.o_last_breadcrumb_item:contains('Time to Release'))";

// The QA manager opens the cockpit from the menu, looks into the exception, and
// releases the clean lots with one password entry.
registry.category("web_tour.tours").add("med_release_review_cockpit", {
    steps: () => [
        ...stepUtils.goToAppSteps("med_audit_export.menu_med_root", "Open Medical Compliance"),
        {
            content: "Open the Release Review menu",
            trigger: ".o_main_navbar .o_menu_sections button[data-menu-xmlid='med_release_review.menu_med_release_review']",
            run: "click",
        },
        {
            content: "and its Release Cockpit",
            trigger: ".dropdown-menu .dropdown-item[data-menu-xmlid='med_release_review.stock_lot_med_release_cockpit_menu']",
            run: "click",
        },
        {
            content: "A clean lot passes every check and names no exception",
            trigger: `${cockpit} ${row("TOUR-BRL-GREEN-1")}:has(.o_data_cell[name=med_review_state]:contains('All checks pass')) .o_data_cell[name=med_review_reasons]:empty`,
        },
        {
            content: "The lot with an exception says what is wrong",
            trigger: `${cockpit} ${row("TOUR-BRL-RED")}:has(.o_data_cell[name=med_review_state]:contains('Blocking exception')) .o_data_cell[name=med_review_reasons]:contains('Received vs inspected quantity: Received 100.00, inspected 10.00')`,
        },
        {
            content: "Open the lot with the exception",
            trigger: `${row("TOUR-BRL-RED")} .o_data_cell[name=name]`,
            run: "click",
        },
        {
            content: "Its Release Review tab",
            trigger: ".o_form_view:has(.o_field_widget[name=name]:contains('TOUR-BRL-RED'), .o_field_widget[name=name] input:value('TOUR-BRL-RED')) .o_notebook .nav-link[name=med_release_review]",
            run: "click",
        },
        {
            content: "lists each check; the failed one with its findings",
            trigger: ".o_field_widget[name=med_release_result_ids] .o_data_row:has(.o_data_cell[name=state]:contains('Fail')) .o_data_cell[name=message]:contains('Received 100.00, inspected 10.00')",
        },
        {
            content: "The others pass",
            trigger: ".o_field_widget[name=med_release_result_ids] .o_data_row:has(.o_data_cell[name=check_id]:contains('Required inspection missing')) .o_data_cell[name=state]:contains('Pass')",
        },
        {
            content: "Open the record behind the exception",
            trigger: ".o_field_widget[name=med_release_result_ids] .o_data_row:has(.o_data_cell[name=state]:contains('Fail')) button[name=action_open_record]",
            run: "click",
        },
        {
            content: "It is the inspection of the lot, of 10 units only",
            trigger: ".o_form_view:has(.o_field_widget[name=object_id]:contains('TOUR-BRL-RED'), .o_field_widget[name=object_id] input:value('TOUR-BRL-RED')) .o_field_widget[name=qty]:contains('10.00'), .o_form_view:has(.o_field_widget[name=object_id]:contains('TOUR-BRL-RED'), .o_field_widget[name=object_id] input:value('TOUR-BRL-RED')) .o_field_widget[name=qty] input:value('10.00')",
        },
        {
            content: "Back to the cockpit",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Release Cockpit')",
            run: "click",
        },
        {
            content: "Select the first clean lot",
            trigger: `${cockpit} ${row("TOUR-BRL-GREEN-1")} .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "and the second",
            trigger: `${cockpit} ${row("TOUR-BRL-GREEN-2")} .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Release the selected lots",
            trigger: `${cockpit} .o_control_panel button[name=action_med_batch_release]`,
            run: "click",
        },
        {
            content: "The dialog names both lots",
            trigger: ".modal .o_field_widget[name=lot_ids]:has(.o_tag:contains('TOUR-BRL-GREEN-1')):has(.o_tag:contains('TOUR-BRL-GREEN-2'))",
        },
        {
            content: "the first signature of the session asks for the login too",
            trigger: ".modal .o_field_widget[name=login] input",
            run: "edit med_qa_manager",
        },
        {
            content: "Enter the password once",
            trigger: ".modal .o_field_widget[name=password] input",
            run: "edit med_qa_manager",
        },
        {
            content: "with a comment",
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: "edit Batch records reviewed in the cockpit",
        },
        {
            content: "Sign and release",
            trigger: ".modal .modal-footer button[name=action_release]",
            run: "click",
        },
        {
            content: "The report says both lots are released with a signature",
            trigger: ".modal .o_field_widget[name=report]:contains('Released with your signature'):contains('TOUR-BRL-GREEN-1'):contains('TOUR-BRL-GREEN-2')",
        },
        {
            content: "Close the dialog",
            trigger: ".modal .modal-footer button:contains('Close')",
            run: "click",
        },
        {
            content: "The released lots have left the cockpit; the exception waits",
            trigger: `body:not(:has(.modal)) ${cockpit}:not(:has(.o_data_row:contains('TOUR-BRL-GREEN'))) ${row("TOUR-BRL-RED")}`,
        },
        {
            content: "Open the Release Review menu",
            trigger: ".o_main_navbar .o_menu_sections button[data-menu-xmlid='med_release_review.menu_med_release_review']",
            run: "click",
        },
        {
            content: "and the time to release",
            trigger: ".dropdown-menu .dropdown-item[data-menu-xmlid='med_release_review.stock_lot_med_release_time_menu']",
            run: "click",
        },
        {
            content: "as a list",
            trigger: `${releaseTime} .o_switch_view.o_list`,
            run: "click",
        },
        {
            content: "Look for the lots just released",
            trigger: `${releaseTime}.o_list_view .o_searchview_input`,
            run: "edit TOUR-BRL-GREEN",
        },
        {
            content: "by their number",
            trigger: ".o_searchview_autocomplete .o_menu_item:contains('Lot/Serial Number')",
            run: "click",
        },
        {
            content: "Both clean lots are released",
            trigger: `${releaseTime}.o_list_view:has(${row("TOUR-BRL-GREEN-1")} .o_data_cell[name=med_state]:contains('Released')) ${row("TOUR-BRL-GREEN-2")} .o_data_cell[name=med_state]:contains('Released')`,
        },
    ],
});
