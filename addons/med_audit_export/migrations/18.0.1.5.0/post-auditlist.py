from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    """The trail's record index gained the timestamp (the list's order): the index
    on (res_model, res_id) alone is redundant once the new one is built by the
    model's init(); dropping it is a no-op when done already."""
    env.cr.execute("DROP INDEX IF EXISTS med_audit_entry_record_index")
