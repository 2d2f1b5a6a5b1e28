from . import med_lot_genealogy_line
