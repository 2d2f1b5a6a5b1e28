"""Close the legacy hash chain and start the sealed one (issue 20).

Entries and signatures written before 18.0.1.2.0 have no content hash: they are the
legacy segment, verified with the algorithm they were written with. The first seal
records where it ends (count, last id, last hash) in each chain's head and the new
chain continues from its last hash; a checkpoint then writes both outside the
database. Running it again seals what is new and takes no second checkpoint."""

import logging

from openupgradelib import openupgrade

_logger = logging.getLogger(__name__)

CHAINED_MODELS = ("med.audit.entry", "med.signature")


@openupgrade.migrate()
def migrate(env, version):
    for model in CHAINED_MODELS:
        Chained = env[model].sudo()
        sealed = Chained._med_seal()
        result = Chained._med_verify()
        head = env["med.audit.chain.head"]._med_head(Chained)
        _logger.info(
            "%s: legacy segment of %s records closed at id %s; %s sealed; "
            "verification: %s broken, problems: %s",
            model,
            head["legacy_count"],
            head["legacy_last_id"],
            sealed,
            len(result["broken"]),
            result["problems"] or "none",
        )
    Checkpoint = env["med.audit.checkpoint"].sudo()
    if not Checkpoint.search_count([("origin", "=", "migration")]):
        Checkpoint._med_create("migration")
