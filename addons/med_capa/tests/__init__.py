from . import test_inspection_roles
