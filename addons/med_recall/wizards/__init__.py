from . import med_recall_recompute
from . import med_recall_recompute_line
