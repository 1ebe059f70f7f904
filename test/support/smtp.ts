/**
 * A real SMTP server on loopback (smtp-server) that keeps what it receives, for tests of e-mail
 * (as test/integration/notify-harness.ts does for the notifier), with a decoder of the messages.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface TestSmtp {
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({ from: String(session.envelope.mailFrom && session.envelope.mailFrom.address), to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The Subject and the text/plain part of a message (nodemailer: quoted-printable or base64, UTF-8). */
export function decodeMail(mail: ReceivedMail): { subject: string; text: string } {
  const qp = (s: string) => Buffer.from(s.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), "latin1").toString("utf8");
  const header = /^Subject: (.*(?:\r\n[ \t].*)*)/im.exec(mail.raw)?.[1] ?? "";
  const subject = header.replace(/\r\n[ \t]/g, " ").replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === "B" ? Buffer.from(data, "base64").toString("utf8") : qp(data.replace(/_/g, " ")));
  const m = /Content-Type: text\/plain[^]*?Content-Transfer-Encoding: ([\w-]+)\r\n\r\n([^]*?)\r\n--/i.exec(mail.raw);
  const text = !m ? "" : m[1].toLowerCase() === "base64" ? Buffer.from(m[2].replace(/\s+/g, ""), "base64").toString("utf8") : qp(m[2]);
  return { subject, text };
}
