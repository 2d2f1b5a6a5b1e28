from . import gs1
