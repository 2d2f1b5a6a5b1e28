/** @odoo-module **/
import {RedirectWarningDialog} from "@web/core/errors/error_dialogs";
import {registry} from "@web/core/registry";

// A gate warning nobody confirmed yet: shown with a button that opens the gate
// confirmation (see med_lot_trace/exceptions.py).
registry
    .category("error_dialogs")
    .add(
        "odoo.addons.med_lot_trace.exceptions.GateConfirmationRequired",
        RedirectWarningDialog
    );
