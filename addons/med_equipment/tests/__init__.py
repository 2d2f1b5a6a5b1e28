from . import test_equipment_status
from . import test_equipment_usage
from . import test_failed_calibration
from . import test_after_sales
from . import test_dossier
from . import test_access
from . import test_tour_hold_suspect_lots
from . import test_complaint_reportability
