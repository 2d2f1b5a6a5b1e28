from . import med_recall_recompute
from . import med_recall_recompute_line
from . import med_dossier_wizard
