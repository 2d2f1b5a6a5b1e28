"""The shipped check descriptions are English only (issue 22): their Chinese is a
translation now. The descriptions are noupdate data, so an upgrade keeps the old
English text with its Chinese sentence appended: remove that sentence where the text
is still the shipped one (a description QA edited is left alone). Idempotent."""

from openupgradelib import openupgrade

from odoo.tools import SQL

from odoo.addons.med_lot_trace.tools.release_check_owners import CHECK_OWNERS

# xml id: the Chinese sentence the English description ended with
CHINESE_SUFFIXES = {
    "release_check_inspected_quantity": " 收货数量与检验数量一致。",
    "release_check_inspection_required": " 按规定进行了检验。",
    "release_check_bom_yield": " 物料消耗与BOM一致（收率在容差内）。",
    "release_check_nc_disposition": " 不合格品处置已执行。",
    "release_check_open_quality_records": " 无未关闭的检验、不合格品或CAPA。",
    "release_check_expiry_components": " 成品失效日期不晚于组件。",
    "release_check_supplier_certificate": " 收货当日供应商资质有效。",
}


@openupgrade.migrate()
def migrate(env, version):
    for xmlid, suffix in CHINESE_SUFFIXES.items():
        # the checks belong to the addons that own their data since 18.0.1.5.0
        owner = CHECK_OWNERS[xmlid.removeprefix("release_check_")]
        check = env.ref(f"{owner}.{xmlid}", raise_if_not_found=False)
        if not check:
            continue
        env.cr.execute(
            SQL(
                "UPDATE med_release_check SET description = jsonb_set(description,"
                " '{en_US}', to_jsonb(left(description->>'en_US', -%s)))"
                " WHERE id = %s AND right(description->>'en_US', %s) = %s",
                len(suffix),
                check.id,
                len(suffix),
                suffix,
            )
        )
    env["med.release.check"].invalidate_model(["description"])
