def post_init_hook(env):
    """The release lead time of the lots received, produced and released before the
    addon was installed."""
    env["stock.lot"]._med_record_past_release_times()
