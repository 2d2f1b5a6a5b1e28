from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    """The trail's user_id is no longer indexed alone (the (user_id, timestamp) index
    serves lookups by user): Odoo keeps an index a field no longer asks for, so it is
    dropped here; a no-op when done already."""
    env.cr.execute("DROP INDEX IF EXISTS med_audit_entry__user_id_index")
