from . import audit_trail_xlsx
