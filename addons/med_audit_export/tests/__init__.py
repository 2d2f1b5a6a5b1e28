from . import test_append_only
from . import test_audit_trail
from . import test_export
from . import test_http_login
from . import test_retention
from . import test_roles
from . import test_rpc
from . import test_signature
