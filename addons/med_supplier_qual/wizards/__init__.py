from . import med_supplier_gate_confirm
from . import med_sales_record_export
