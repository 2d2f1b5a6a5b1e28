import base64
import hashlib
import json
import logging
import os
import secrets

import requests
from asn1crypto import tsp
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509 import load_der_x509_certificate

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import config

from .med_audit_chain_head import CHAINED_MODELS, job_window_start, mark_run
from .med_hash_chain_mixin import refuse_change

_logger = logging.getLogger(__name__)

CHECKPOINT_DIR_PARAM = "med_audit_export.checkpoint_dir"
TSA_URL_PARAM = "med_audit_export.tsa_url"
TSA_TIMEOUT = 10
ADMIN_GROUP = "med_audit_export.group_med_compliance_admin"
CHECKPOINT_JOB = "med_audit_export.ir_cron_audit_checkpoint"
# The system parameter each checkpoint writes before its file (see mark_run).
CHECKPOINT_RUN_KEY = "med_audit_export.checkpoint_run"
# DER of the AlgorithmIdentifier of SHA-256 (OID 2.16.840.1.101.3.4.2.1, NULL)
SHA256_ALGORITHM = bytes.fromhex("300d06096086480165030402010500")
# Digest algorithms a time-stamp authority signs with, by asn1crypto's name.
TIMESTAMP_HASHES = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}
ORIGINS = [
    ("cron", "Daily Job"),
    ("manual", "On Demand"),
    ("migration", "Upgrade"),
]


def der(tag, content):
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def timestamp_request(digest):
    """An RFC 3161 TimeStampReq for a SHA-256 ``digest``, with a nonce, asking for
    the authority's certificate in the token."""
    imprint = der(0x30, SHA256_ALGORITHM + der(0x04, digest))
    nonce = der(0x02, b"\x00" + secrets.token_bytes(8))
    version, cert_req = der(0x02, b"\x01"), der(0x01, b"\xff")
    return der(0x30, version + imprint + nonce + cert_req)


def timestamp_status(response):
    """The PKIStatus of a TimeStampResp (0 granted, 1 granted with mods), or None
    when the answer is not one."""

    # TimeStampResp ::= SEQUENCE { status PKIStatusInfo ::= SEQUENCE { INTEGER ...
    def header_size(position):
        length = response[position + 1]
        return 2 + (length & 0x7F if length & 0x80 else 0)

    if len(response) < 8 or response[0] != 0x30:
        return None
    position = header_size(0)
    if response[position] != 0x30:
        return None
    position += header_size(position)
    if response[position] != 0x02:
        return None
    length = response[position + 1]
    return int.from_bytes(response[position + 2 : position + 2 + length], "big")


def timestamp_problem(response, digest):
    """Why the RFC 3161 TimeStampResp ``response`` does not prove the SHA-256
    ``digest`` ("imprint": it stamps another file, "signature": its signature does not
    verify with the authority's certificate it carries), or None when it does."""
    try:
        signed = tsp.TimeStampResp.load(response)["time_stamp_token"]["content"]
        content = signed["encap_content_info"]["content"]
        imprint = content.parsed["message_imprint"]
        if (
            imprint["hash_algorithm"]["algorithm"].native != "sha256"
            or imprint["hashed_message"].native != digest
        ):
            return "imprint"
        signer = signed["signer_infos"][0]
        serial = signer["sid"].chosen["serial_number"].native
        certificate = next(
            choice.chosen
            for choice in signed["certificates"]
            if choice.chosen.serial_number == serial
        )
        algorithm = TIMESTAMP_HASHES[signer["digest_algorithm"]["algorithm"].native]
        attributes = {
            attribute["type"].native: attribute["values"][0].native
            for attribute in signer["signed_attrs"]
        }
        hashed = hashes.Hash(algorithm)
        hashed.update(content.contents)
        if attributes.get("message_digest") != hashed.finalize():
            return "signature"
        # the signature covers the signed attributes as a SET OF, not as [0]
        signed_bytes = b"\x31" + signer["signed_attrs"].dump()[1:]
        public_key = load_der_x509_certificate(certificate.dump()).public_key()
        signature = signer["signature"].native
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, signed_bytes, ec.ECDSA(algorithm))
        else:
            public_key.verify(signature, signed_bytes, padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        return "signature"
    except (ValueError, TypeError, KeyError, IndexError, StopIteration):
        return "signature"  # not a token, or one that cannot be checked
    return None


class MedAuditCheckpoint(models.Model):
    """The heads of the hash chains written outside the database: a JSON file in the
    checkpoint folder, a mail to the compliance administrators, and an RFC 3161
    time-stamp when an authority is configured. Verification compares the chains with
    the files, so a chain rewritten consistently inside the database is found."""

    _name = "med.audit.checkpoint"
    _description = "Audit Trail Checkpoint"
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    date = fields.Datetime(readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
    origin = fields.Selection(ORIGINS, readonly=True)
    chain_intact = fields.Boolean(
        readonly=True, help="The chains verified intact when the checkpoint was taken."
    )
    entry_seq = fields.Integer(string="Entries Sealed", readonly=True)
    entry_hash = fields.Char(string="Entry Chain Hash", readonly=True)
    signature_seq = fields.Integer(string="Signatures Sealed", readonly=True)
    signature_hash = fields.Char(string="Signature Chain Hash", readonly=True)
    payload = fields.Text(string="Checkpoint File Content", readonly=True)
    file_path = fields.Char(string="File", readonly=True)
    file_sha256 = fields.Char(string="File SHA-256", readonly=True)
    timestamp_token = fields.Binary(string="Time-Stamp Token", readonly=True)
    timestamp_message = fields.Char(string="Time-Stamp", readonly=True)

    def write(self, vals):  # pylint: disable=method-required-super
        refuse_change(self)  # append-only: no path may reach the ORM's write

    def unlink(self):  # pylint: disable=method-required-super
        refuse_change(self, deletion=True)

    # -- the folder outside the database --
    @api.model
    def _med_folder(self):
        folder = self.env["ir.config_parameter"].sudo().get_param(CHECKPOINT_DIR_PARAM)
        return folder or os.path.join(
            config.filestore(self.env.cr.dbname), "med_checkpoints"
        )

    @api.model
    def _med_database_uuid(self):
        return self.env["ir.config_parameter"].sudo().get_param("database.uuid")

    @api.model
    def _med_read_files(self):
        """The checkpoint files of this database, oldest first, as dicts (with their
        file ``name``)."""
        folder = self._med_folder()
        if not os.path.isdir(folder):
            return []
        database = self._med_database_uuid()
        checkpoints = []
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".json"):
                continue
            try:
                with open(os.path.join(folder, name), encoding="utf-8") as file:
                    checkpoint = json.load(file)
            except (OSError, ValueError):
                _logger.warning("unreadable checkpoint file %s", name)
                continue
            if checkpoint.get("database_uuid") != database:
                continue
            checkpoint["name"] = name
            checkpoints.append(checkpoint)
        return checkpoints

    @api.model
    def _med_check_records(self):
        """Problems of the checkpoints recorded in the database: file gone or
        changed."""
        problems = []
        for checkpoint in self.search([("file_path", "!=", False)]):
            try:
                with open(checkpoint.file_path, "rb") as file:
                    digest = hashlib.sha256(file.read()).hexdigest()
            except OSError:
                digest = None
            if digest != checkpoint.file_sha256:
                problems.append(
                    self.env._(
                        "Checkpoint %(name)s: its file %(path)s is missing or changed.",
                        name=checkpoint.name,
                        path=checkpoint.file_path,
                    )
                )
            if checkpoint.timestamp_token:
                problem = timestamp_problem(
                    base64.b64decode(checkpoint.timestamp_token),
                    bytes.fromhex(checkpoint.file_sha256 or ""),
                )
                if problem == "imprint":
                    problems.append(
                        self.env._(
                            "Checkpoint %(name)s: its time-stamp is for another file.",
                            name=checkpoint.name,
                        )
                    )
                elif problem:
                    problems.append(
                        self.env._(
                            "Checkpoint %(name)s: the signature of its time-stamp "
                            "does not verify.",
                            name=checkpoint.name,
                        )
                    )
        return problems

    # -- taking a checkpoint --
    def action_create_now(self):
        if not self.env.user.has_group(ADMIN_GROUP):
            raise AccessError(
                self.env._("Only compliance administrators take checkpoints.")
            )
        # sudo: a checkpoint is a system record, taken here for the administrator.
        checkpoint = self.sudo()._med_create("manual").with_env(self.env)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": checkpoint.id,
            "view_mode": "form",
        }

    @api.model
    def _cron_create(self):
        """Daily: a checkpoint, unless the job took one in this period already (a
        second run, e.g. the job run by hand beside the scheduler). A run that meets
        another one deciding at the same time leaves it to a rerun, which sees the
        other's checkpoint."""
        recent = self.search_count(
            [
                ("origin", "=", "cron"),
                ("date", ">=", job_window_start(self.env, CHECKPOINT_JOB)),
            ],
            limit=1,
        )
        if recent:
            _logger.info("audit trail checkpoint taken in this period already")
            return
        try:
            with self.env.cr.savepoint():
                self._med_create("cron")
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            _logger.info("audit trail checkpoint met a concurrent one: rerun")
            # sudo: the job is the checkpoint's own; whoever runs it may trigger it.
            self.env.ref(CHECKPOINT_JOB).sudo()._trigger()

    @api.model
    def _med_latest_if_current(self):
        """The latest checkpoint when it records the chains as they are now and its
        file is still the one recorded: a new one would add nothing."""
        latest = self.search([], limit=1)
        if not latest:
            return latest
        Head = self.env["med.audit.chain.head"]
        entries = Head._med_head(self.env["med.audit.entry"])
        signatures = Head._med_head(self.env["med.signature"])
        current = (
            entries["last_seq"],
            entries["last_hash"],
            signatures["last_seq"],
            signatures["last_hash"],
        )
        recorded = (
            latest.entry_seq,
            latest.entry_hash,
            latest.signature_seq,
            latest.signature_hash,
        )
        if current != recorded or not latest._med_file_intact():
            return self.browse()
        return latest

    def _med_file_intact(self):
        try:
            with open(self.file_path, "rb") as file:
                return hashlib.sha256(file.read()).hexdigest() == self.file_sha256
        except (OSError, TypeError):  # no file, or none recorded
            return False

    @api.model
    def _med_create(self, origin):
        """Verify the chains from the last good checkpoint, then record their ends
        in a new checkpoint: file, mail, time-stamp. When the latest checkpoint
        records the chains as they are, that one is returned instead."""
        latest = self._med_latest_if_current()
        if latest:
            return latest
        files = self._med_read_files()
        streams, intact = {}, True
        Head = self.env["med.audit.chain.head"]
        for model in CHAINED_MODELS:
            Chained = self.env[model].sudo()
            result = Chained._med_verify(incremental=True, checkpoints=files)
            intact = intact and not result["broken"] and not result["problems"]
            head = Head._med_head(Chained)
            streams[model] = {
                "seq": result["seq"],
                "hash": result["hash"],
                "legacy_last_id": head["legacy_last_id"],
                "legacy_last_hash": head["legacy_last_hash"],
                "legacy_count": head["legacy_count"],
            }
        now = fields.Datetime.now()
        name = f"checkpoint-{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}.json"
        content = {
            "database": self.env.cr.dbname,
            "database_uuid": self._med_database_uuid(),
            "created": fields.Datetime.to_string(now),
            "chain_intact": intact,
            "streams": streams,
        }
        payload = json.dumps(content, indent=1, sort_keys=True).encode()
        # before the file: a second run that cannot see this one's checkpoint yet
        # stops here, and writes no file
        mark_run(self.env, CHECKPOINT_RUN_KEY)
        folder = self._med_folder()
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, name)
        with open(path, "xb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        token, message = self._med_timestamp(payload, path)
        entries, signatures = streams["med.audit.entry"], streams["med.signature"]
        checkpoint = self.create(
            {
                "name": name,
                "date": now,
                "origin": origin,
                "chain_intact": intact,
                "entry_seq": entries["seq"],
                "entry_hash": entries["hash"],
                "signature_seq": signatures["seq"],
                "signature_hash": signatures["hash"],
                "payload": payload.decode(),
                "file_path": path,
                "file_sha256": hashlib.sha256(payload).hexdigest(),
                "timestamp_token": base64.b64encode(token) if token else False,
                "timestamp_message": message,
            }
        )
        checkpoint._med_mail_admins(payload, token)
        return checkpoint

    @api.model
    def _med_timestamp(self, payload, path):
        """(token, message): the RFC 3161 answer of the configured authority over the
        file's SHA-256, also written beside the file (``.tsr``)."""
        url = self.env["ir.config_parameter"].sudo().get_param(TSA_URL_PARAM)
        if not url:
            return None, self.env._("No time-stamp authority configured.")
        request = timestamp_request(hashlib.sha256(payload).digest())
        try:
            response = requests.post(
                url,
                data=request,
                headers={"Content-Type": "application/timestamp-query"},
                timeout=TSA_TIMEOUT,
            )
            response.raise_for_status()
        except requests.RequestException as error:
            _logger.warning("time-stamp authority %s unreachable: %s", url, error)
            return None, self.env._(
                "Time-stamp authority %(url)s unreachable (%(error)s): the checkpoint "
                "is kept without a time-stamp.",
                url=url,
                error=type(error).__name__,
            )
        if timestamp_status(response.content) not in (0, 1):
            return None, self.env._(
                "Time-stamp authority %(url)s refused the request: the checkpoint is "
                "kept without a time-stamp.",
                url=url,
            )
        with open(path[: -len(".json")] + ".tsr", "xb") as file:
            file.write(response.content)
        return response.content, self.env._("Time-stamped by %(url)s.", url=url)

    def _med_mail_admins(self, payload, token):
        """Mail the checkpoint file to the compliance administrators: their mailbox
        keeps a copy the database owner cannot reach."""
        admins = self.env.ref(ADMIN_GROUP).users.filtered(
            lambda user: not user.share and user.active and user.email
        )
        if not admins:
            return
        attachments = [(self.name, payload)]
        if token:
            attachments.append((self.name[: -len(".json")] + ".tsr", token))
        # sudo: the mail and its attachments are system records.
        Attachment = self.env["ir.attachment"].sudo()
        attachment_ids = [
            Attachment.create(
                {
                    "name": name,
                    "raw": content,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            ).id
            for name, content in attachments
        ]
        self.env["mail.mail"].sudo().create(
            {
                "subject": self.env._(
                    "Audit trail checkpoint %(name)s", name=self.name
                ),
                "body_html": self.env._(
                    "<p>Keep this file: it proves the audit trail as it was on "
                    "%(date)s (UTC). Entries sealed: %(entries)s, chain hash "
                    "%(entry_hash)s. Signatures sealed: %(signatures)s, chain hash "
                    "%(signature_hash)s. %(timestamp)s</p>",
                    date=fields.Datetime.to_string(self.date),
                    entries=self.entry_seq,
                    entry_hash=self.entry_hash,
                    signatures=self.signature_seq,
                    signature_hash=self.signature_hash,
                    timestamp=self.timestamp_message,
                ),
                "recipient_ids": [fields.Command.set(admins.partner_id.ids)],
                "attachment_ids": [fields.Command.set(attachment_ids)],
                "auto_delete": False,
            }
        )
