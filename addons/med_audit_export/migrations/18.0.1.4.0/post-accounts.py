from openupgradelib import openupgrade

OCA_DEFAULT_DELAY = "7200"
GXP_DELAY = "1800"


@openupgrade.migrate()
def migrate(env, version):
    """auth_session_timeout came with this version: the inactive session timeout of
    an upgraded database gets the suite's GxP default, unless already changed."""
    params = env["ir.config_parameter"].sudo()
    key = "inactive_session_time_out_delay"
    if params.get_param(key) == OCA_DEFAULT_DELAY:
        params.set_param(key, GXP_DELAY)
