from . import test_recall_scope
from . import test_recall_launch
from . import test_recall_reconciliation
from . import test_recall_notification
from . import test_recall_access
from . import test_tour_recall
from . import test_recall_deadline
from . import test_recall_report_fields
