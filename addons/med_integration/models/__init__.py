from . import med_integration_event
from . import stock_lot
from . import qc_inspection
from . import med_lims_import
