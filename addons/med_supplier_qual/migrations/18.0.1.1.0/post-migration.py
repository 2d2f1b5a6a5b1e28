"""The distribution licence type (noupdate data) qualifies customers too from
18.0.1.1.0 (购货者资格审核): a distributor buying from us shows the same licence it
shows when it sells to us. The new customer types are created by the data file."""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    kind = env.ref(
        "med_supplier_qual.certificate_type_distribution_licence",
        raise_if_not_found=False,
    )
    if kind and kind.applies_to == "supplier":
        kind.applies_to = "both"
