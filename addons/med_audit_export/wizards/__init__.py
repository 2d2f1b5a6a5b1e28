from . import med_signature_wizard
from . import med_audit_export_wizard
from . import med_dossier_wizard
from . import med_audit_export_verify
from . import med_system_health
from . import med_system_health_job
from . import med_validation_import
