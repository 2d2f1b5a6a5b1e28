from . import med_sales_record_export
from . import med_gate_dry_run_line
