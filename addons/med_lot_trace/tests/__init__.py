from . import test_indexes
