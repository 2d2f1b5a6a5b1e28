from . import test_api_rpc
from . import test_events
from . import test_lims_import
from . import test_consistency
from . import test_data_dictionary
from . import test_external_event
from . import test_races
