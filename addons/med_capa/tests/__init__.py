from . import test_inspection_roles
from . import test_inspection_failure
from . import test_capa_workflow
from . import test_nonconformance
from . import test_expiry_trigger
from . import test_release
from . import test_capa_rule
from . import test_access
