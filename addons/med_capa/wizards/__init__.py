from . import med_capa_cancel
