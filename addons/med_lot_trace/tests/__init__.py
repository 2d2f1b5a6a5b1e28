from . import test_expiry_cron
from . import test_genealogy
from . import test_genealogy_tree_ui
from . import test_indexes
from . import test_lot_audit
from . import test_lot_status
from . import test_recall_simulation
from . import test_udi
