from . import med_supplier_gate_confirm
