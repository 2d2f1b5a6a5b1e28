from . import med_lot_recall_simulate
from . import med_lot_recall_simulate_line
