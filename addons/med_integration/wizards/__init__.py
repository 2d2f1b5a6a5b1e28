from . import med_lims_import_wizard
