from . import test_purchase_roles
from . import test_gates
