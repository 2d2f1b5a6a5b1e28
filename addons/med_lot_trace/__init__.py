from . import models
from . import tools
from . import wizards
from .models.med_lot_link import DROP_TRIGGERS_SQL


def _med_post_init(env):
    # The genealogy links of the history made before the installation; the triggers
    # keep them from now on.
    env["med.lot.link"]._med_fill()


def _med_uninstall(env):
    # The triggers write the link table, which the uninstallation drops.
    env.cr.execute(DROP_TRIGGERS_SQL)
