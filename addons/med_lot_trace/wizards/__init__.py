from . import med_gate_confirm
from . import med_lot_genealogy
from . import med_lot_genealogy_line
from . import med_lot_recall_simulate
from . import med_lot_recall_simulate_line
from . import med_sales_record_export
from . import med_gate_dry_run
from . import med_gate_dry_run_line
