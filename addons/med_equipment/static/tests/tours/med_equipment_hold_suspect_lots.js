import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Data from tests/test_tour_hold_suspect_lots.py: the caliper's last calibration
// failed; lots were inspected with it since its previous, passed calibration.

// The QA manager holds the suspect lots from the equipment, with one signature. From
// the menus: Maintenance > Equipment, then the caliper's card.
registry.category("web_tour.tours").add("med_equipment_hold_suspect_lots", {
    steps: () => [
        ...stepUtils.goToAppSteps("maintenance.menu_maintenance_title", "Open Maintenance"),
        {
            content: "Open the equipment",
            trigger: ".o_main_navbar [data-menu-xmlid='maintenance.menu_equipment_form']",
            run: "click",
        },
        {
            content: "Open the caliper",
            trigger: ".o_kanban_record:contains('Tour caliper')",
            run: "click",
        },
        {
            content: "The caliper is out of service",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Out of Service')",
        },
        {
            content: "It names its suspect lots",
            trigger: ".o_form_view button[name=action_med_suspect_lots] .o_stat_value:contains('2')",
        },
        {
            content: "Hold them",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_med_hold_suspect_lots]",
            run: "click",
        },
        {
            content: "The signature proposes the reason: which calibration failed",
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run() {
                if (!this.anchor.value.includes("Calibration of Tour caliper failed")) {
                    throw new Error(`Unexpected reason: ${this.anchor.value}`);
                }
            },
        },
        {
            content: "the first signature of the session asks for the login too",
            trigger: ".modal .o_field_widget[name=login] input",
            run: "edit med_qa_manager",
        },
        {
            content: "and asks for the password again",
            trigger: ".modal .o_field_widget[name=password] input",
            run: "edit med_qa_manager",
        },
        {
            content: "Sign",
            trigger: ".modal .modal-footer button[name=action_sign]",
            run: "click",
        },
        {
            content: "Back on the equipment",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Out of Service')",
        },
    ],
});
