import { registry } from "@web/core/registry";

// Data from tests/test_tour_lot_release.py: a delivery to Ruijin Hospital of lot
// TOUR-SYR-001, still in quarantine, picked by the warehouse.

const validate = {
    content: "Validate the delivery",
    trigger: ".o_form_view .o_statusbar_buttons button[name=button_validate]:visible",
    run: "click",
};

// The warehouse user tries to ship the unreleased lot and is refused.
registry.category("web_tour.tours").add("med_lot_trace_delivery_blocked", {
    steps: () => [
        {
            content: "The delivery of the quarantined lot is open",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('Ruijin Hospital')",
        },
        validate,
        {
            content: "The lot gate names the lot, its status and the rule",
            trigger: ".modal .o_error_dialog .text-prewrap:contains('This operation is refused'):contains('TOUR-SYR-001'):contains('Quarantine, not released'):contains('only released, unexpired lots are shipped to customers')",
        },
        {
            content: "Close the message",
            trigger: ".modal .o_error_dialog .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The delivery is still ready, not done",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Ready')",
        },
    ],
});

// The QA manager releases the lot with an electronic signature.
registry.category("web_tour.tours").add("med_lot_trace_release_signed", {
    steps: () => [
        {
            content: "The lot is open, in quarantine",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Quarantine')",
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
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Released')",
        },
    ],
});

// The warehouse user ships the released lot.
registry.category("web_tour.tours").add("med_lot_trace_delivery_shipped", {
    steps: () => [
        {
            content: "The delivery is open",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('Ruijin Hospital')",
        },
        validate,
        {
            content: "The delivery is done",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
    ],
});
