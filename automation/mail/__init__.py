"""Mail: the at-most-once journal, message building and the transports (outbox folder or SMTP).

The notify step decides who gets what; these are its parts:

    with MailJournal(master_backend, schemas) as journal:   # the workbook's hidden _발송기록 tab
        journal.recover_stale()                      # under the run lock, before sending anything
        transport = open_transport(config.mail)
        transport.connect()                          # MailError: stop before any row says "sending"
        entry = journal.get(match_id, "org", "notice")
        if journal.may_send(entry):
            msg = build_message(..., message_id=new_message_id(config.mail.sender), ...)
            entry = journal.begin(match_id, "org", "notice", recipient=..., cc=..., subject=...,
                                  message_id=msg["Message-ID"])
            entry = journal.finish(entry, transport.send(msg))
        label(entry)                                 # "발송완료 2026-11-29 10:31", "확인필요", ...
"""

from automation.mail.journal import ROLES, STALE_REASON, Entry, MailJournal, State, label
from automation.mail.message import build_message, header_text, new_message_id
from automation.mail.transport import OutboxTransport, SendResult, SmtpTransport, Transport, open_transport

__all__ = [
    "ROLES",
    "STALE_REASON",
    "Entry",
    "MailJournal",
    "OutboxTransport",
    "SendResult",
    "SmtpTransport",
    "State",
    "Transport",
    "build_message",
    "header_text",
    "label",
    "new_message_id",
    "open_transport",
]
