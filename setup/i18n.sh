#!/usr/bin/env bash
# Refreshes the translation templates of the addons (all, or those named) from the code and
# data, and merges them into i18n/zh_CN.po: existing translations are kept, new terms are
# added untranslated, vanished terms are dropped. Uses the test database (setup/test.sh
# creates it); run `setup/test.sh` first after adding a module's new files.
# Usage: setup/i18n.sh [ADDON...]
source "$(dirname "$0")/lib.sh"
med_prepare
cd "$MED_ROOT"
db=${MED_TEST_DB:-med_test}
med_db_exists "$db" || med_die "no database $db: run setup/test.sh first"
addons=("$@")
[ ${#addons[@]} -gt 0 ] || IFS=, read -r -a addons <<<"$MED_ADDONS"
med_odoo -d "$db" -u "$(IFS=,; echo "${addons[*]}")" --stop-after-init --log-level=warn \
    >"$MED_LOCAL/i18n-update-$db.log" 2>&1 || med_die "updating $db failed; see $MED_LOCAL/i18n-update-$db.log"
for addon in "${addons[@]}"; do
    pot="addons/$addon/i18n/$addon.pot"
    med_odoo -d "$db" --modules="$addon" --i18n-export="$pot" --log-level=warn \
        >"$MED_LOCAL/i18n-export-$db.log" 2>&1 || med_die "export of $addon failed; see $MED_LOCAL/i18n-export-$db.log"
    python - "$pot" "addons/$addon/i18n/zh_CN.po" <<'PY'
import os
import sys

import polib

pot_path, po_path = sys.argv[1:3]
template = polib.pofile(pot_path, wrapwidth=78)
old = polib.pofile(po_path) if os.path.exists(po_path) else polib.POFile()
known = {(e.msgctxt, e.msgid): e.msgstr for e in old if not e.obsolete}
template.metadata.update(
    {"Language": "zh_CN", "Plural-Forms": "nplurals=1; plural=0;"}
)
for entry in template:
    entry.msgstr = known.get((entry.msgctxt, entry.msgid), "")
template.save(po_path)
missing = [e.msgid for e in template if not e.msgstr]
print(f"{po_path}: {len(template)} terms, {len(missing)} untranslated")
for msgid in missing:
    print("  untranslated:", msgid.replace("\n", " ")[:100])
PY
done
