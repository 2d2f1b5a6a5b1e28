from . import test_indexes
from . import test_lot_audit
