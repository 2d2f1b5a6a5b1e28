from . import test_purchase_roles
from . import test_gates
from . import test_certificates
from . import test_supplier_approval
from . import test_certificate_cron
from . import test_evaluation
from . import test_access
from . import test_approved_list_export
