from . import med_release_result
from . import stock_lot
from . import stock_move
