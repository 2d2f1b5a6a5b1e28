from odoo.exceptions import UserError


class GateConfirmationRequired(UserError):
    """A gate in warn mode found something nobody has confirmed yet.

    A ``UserError`` for every caller (RPC, imports, code: refused, nothing changed);
    the web client shows it as a redirect warning whose button opens the gate
    confirmation (``static/src/js/gate_confirmation_dialog.js``), so that a user
    saving a form can confirm and save again.
    """

    def __init__(self, message, action, button_text):
        super().__init__(message)
        # the arguments of a RedirectWarning, which its dialog reads
        self.args = (message, action, button_text, None)

    def __str__(self):
        return self.args[0]
