from . import test_checks
from . import test_release
from . import test_cockpit
from . import test_access
from . import test_views
from . import test_tour_cockpit
from . import test_past_release_times
from . import test_configuration_audit
