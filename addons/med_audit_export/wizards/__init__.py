from . import med_signature_wizard
from . import med_audit_export_wizard
from . import med_dossier_wizard
from . import med_audit_export_verify
