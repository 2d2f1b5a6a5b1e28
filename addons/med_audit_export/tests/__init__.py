from . import test_http_login, test_roles
