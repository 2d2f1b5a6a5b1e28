import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Data from tests/test_tour_inspection_failure.py: a visual inspection of lot
// BRL-QC-001 with one question ("Burrs or flash on the barrel tip"), ready.

// Each user starts from the menus: Quality Control > Inspections, then the
// inspection of lot BRL-QC-001.
const openInspectionFromMenu = [
    ...stepUtils.goToAppSteps("quality_control_oca.qc_menu", "Open Quality Control"),
    {
        content: "Open the Inspections menu",
        trigger: ".o_main_navbar [data-menu-xmlid='quality_control_oca.qc_inspection_menu_parent']",
        run: "click",
    },
    {
        content: "Open the inspections",
        trigger: ".o-dropdown-item[data-menu-xmlid='quality_control_oca.qc_inspection_menu']",
        run: "click",
    },
    {
        content: "Open the inspection of lot BRL-QC-001",
        trigger: ".o_list_view .o_data_row:contains('BRL-QC-001') .o_data_cell[name=name]",
        run: "click",
    },
];

const current = (label) =>
    `.o_form_view .o_statusbar_status button.o_arrow_button_current:contains('${label}')`;

// The QA inspector records a defect and confirms the inspection.
registry.category("web_tour.tours").add("med_capa_inspection_record_defect", {
    steps: () => [
        ...openInspectionFromMenu,
        {
            content: "The inspection is ready",
            trigger: current("Ready"),
        },
        {
            content: "Answer the question",
            trigger: ".o_field_widget[name=inspection_lines] .o_data_row:contains('Burrs or flash') .o_data_cell[name=qualitative_value]",
            run: "click",
        },
        {
            content: "A defect was found",
            trigger: ".o_field_widget[name=inspection_lines] .o_data_row .o_field_widget[name=qualitative_value] input",
            run: "edit Found",
        },
        {
            content: "Pick the answer",
            trigger: ".o_field_widget[name=qualitative_value] .o-autocomplete--dropdown-menu li:contains('Found')",
            run: "click",
        },
        {
            content: "Confirm the inspection",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The failure waits for the QA manager",
            trigger: current("Waiting supervisor approval"),
        },
    ],
});

// The QA manager approves the failed inspection.
registry.category("web_tour.tours").add("med_capa_inspection_approve_failure", {
    steps: () => [
        ...openInspectionFromMenu,
        {
            content: "Approve the result",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_approve]",
            run: "click",
        },
        {
            content: "The inspection has failed",
            trigger: current("Quality failed"),
        },
    ],
});

// The QA inspector sees the nonconformance and the CAPA the failure opened.
registry.category("web_tour.tours").add("med_capa_inspection_sees_capa", {
    steps: () => [
        ...openInspectionFromMenu,
        {
            content: "Open the nonconformances of the failed inspection",
            trigger: ".o_form_view .oe_stat_button:contains('Nonconformances')",
            run: "click",
        },
        {
            content: "The list shows the nonconformance of the lot with its CAPA; open it",
            trigger: ".o_list_view .o_data_row:contains('BRL-QC-001'):has(.o_data_cell[name=capa_id]:contains('CAPA/')) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "It names its CAPA",
            trigger: ".o_form_view .o_field_widget[name=capa_id] a:contains('CAPA/'), .o_form_view .o_field_widget[name=capa_id] input:value('CAPA/')",
        },
    ],
});
