from . import test_purchase_roles
