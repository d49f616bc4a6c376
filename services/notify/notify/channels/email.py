"""Email over SMTP: Vietnamese first, then English, with the acknowledgement link and code."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from . import ChannelError, Outgoing


def compose(out: Outgoing, *, sender: str) -> EmailMessage:
    """The email for one message (UTF-8; headers encoded so that every diacritic survives)."""
    mail = EmailMessage()
    mail["Subject"] = out.title
    mail["From"] = sender
    mail["To"] = out.address
    mail["Message-ID"] = make_msgid(idstring=out.delivery_id.replace("-", ""), domain="tiepdan.local")
    lines = [out.title, "", out.body, ""]
    if out.ack_url:
        lines += [f"Xác nhận đã nhận tin: {out.ack_url}"]
    lines += [f"Hoặc nhắn mã xác nhận: {out.ack_code}", ""]
    if out.title_en:
        lines += ["— English —", out.title_en, "", out.body_en or ""]
        if out.ack_url:
            lines += ["", f"Acknowledge: {out.ack_url}"]
    mail.set_content("\n".join(lines), charset="utf-8")
    return mail


class EmailChannel:
    """Sends through one SMTP server (optionally STARTTLS and a login)."""

    name = "email"

    def __init__(self, *, host: str, port: int, sender: str, timeout: float = 10.0, starttls: bool = False,
                 username: str | None = None, password: str | None = None) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout
        self.starttls, self.username, self.password = starttls, username, password

    def send(self, out: Outgoing) -> str:
        """Hand the email to the SMTP server; return its answer or raise :class:`ChannelError`."""
        mail = compose(out, sender=self.sender)
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(f"SMTP failed: {exc!r}") from exc
        try:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            refused = smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(f"SMTP failed: {exc!r}") from exc
        finally:
            # Once the server took the mail, a failed goodbye must not make us send it again.
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
        if refused:
            raise ChannelError("SMTP refused the recipient", str(refused))
        return f"250 accepted by {self.host}:{self.port} as {mail['Message-ID']}"
