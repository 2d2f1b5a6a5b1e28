from . import test_dashboards
