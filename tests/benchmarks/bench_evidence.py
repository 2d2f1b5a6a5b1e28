# bench-by-name-only
# bench-addons: all
# bench-demo
"""Evidence files (issue 24): the size of the demo lot dossier PDF, and the lot
dossier of a 10,000-lot genealogy (setup/bench.sh evidence).

Runs on a database with the suite's demo data (bench.sh `# bench-demo`). Serves HTTP
in this process, so that wkhtmltopdf reads the reports' styles as in use. Exports the
PDF lot dossier of the demo lot SYR-2601 through the dossier wizard, as the demo
auditor would (stamped, signed when the company has a certificate), --rounds times;
then runs bench_dossier.py on the same database (unless --pdf-only).

dossier_pdf_mb: size of the demo dossier (target <= 1 MB); dossier_pdf_pages: its
pages; dossier_pdf_s: seconds to export it (median); dossier_pdfa_mb and
dossier_pdfa_s: the same dossier as PDF/A-2b (Ghostscript); dossier_10k_s: from
bench_dossier.py (target <= 10 s).
"""

import argparse
import base64
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from benchlib import bench, median, odoo_env, parse_args

import odoo
from odoo.service import server


def serve_http(database):
    """Odoo's HTTP server in a thread of this process, for this database only."""
    odoo.tools.config["dbfilter"] = f"^{database}$"
    threaded = server.ThreadedServer(odoo.http.root)
    threaded.http_spawn()
    return threaded


def export_demo_dossier(env, pdf_archival=False):
    lot = env.ref("med_capa.demo_lot_syringe_1")
    auditor = env.ref("med_audit_export.demo_user_auditor")
    wizard = (
        env["med.dossier.wizard"]
        .with_user(auditor)
        .with_context(
            default_report="lot_dossier", active_ids=lot.ids, lang=auditor.lang
        )
        .create({"file_format": "pdf", "pdf_archival": pdf_archival})
    )
    start = time.perf_counter()
    wizard.action_export()
    seconds = time.perf_counter() - start
    export = env["med.audit.export"].search([], order="id desc", limit=1)
    return base64.b64decode(export.attachment_id.datas), seconds


def main():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--pdf-only", action="store_true")
    ours, rest = parser.parse_known_args()
    sys.argv[1:] = rest
    args = parse_args(__doc__, rounds=3)
    with odoo_env(args.config, args.database) as env:
        serve_http(args.database)
        results = [export_demo_dossier(env) for _round in range(args.rounds)]
        content = results[-1][0]
        pages = subprocess.run(
            ["pdfinfo", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        pages = next(
            int(line.split()[-1])
            for line in pages.splitlines()
            if line.startswith("Pages:")
        )
        bench("dossier_pdf_mb", len(content) / 1e6, "MB")
        bench("dossier_pdf_pages", pages, "pages")
        bench("dossier_pdf_s", median([seconds for _content, seconds in results]), "s")
        archival = [
            export_demo_dossier(env, pdf_archival=True) for _round in range(args.rounds)
        ]
        bench("dossier_pdfa_mb", len(archival[-1][0]) / 1e6, "MB")
        bench(
            "dossier_pdfa_s", median([seconds for _content, seconds in archival]), "s"
        )
    if not ours.pdf_only:
        dossier = os.path.join(os.path.dirname(__file__), "bench_dossier.py")
        subprocess.run(
            [sys.executable, dossier, "--config", args.config]
            + ["--database", args.database, "--rounds", str(args.rounds)],
            check=True,
        )


if __name__ == "__main__":
    main()
