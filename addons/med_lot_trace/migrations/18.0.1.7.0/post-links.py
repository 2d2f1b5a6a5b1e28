"""From 18.0.1.7.0 the genealogy walks read med.lot.link, which triggers keep from
the consume links: fill it once from the existing history, in one INSERT ... SELECT
(idempotent: links already there are kept)."""

import logging

from openupgradelib import openupgrade

_logger = logging.getLogger(__name__)


@openupgrade.migrate()
def migrate(env, version):
    filled = env["med.lot.link"]._med_fill()
    _logger.info("med.lot.link: %s genealogy links filled", filled)
