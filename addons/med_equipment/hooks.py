def post_init_hook(env):
    """The installed base of the deliveries made before the addon was installed."""
    lines = env["stock.move.line"].search(
        [
            ("state", "=", "done"),
            ("lot_id", "!=", False),
            ("location_dest_id.usage", "=", "customer"),
        ],
        order="date, id",
    )
    env["med.installed.base"]._med_record_deliveries(lines)
