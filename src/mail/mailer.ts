// Every message leaves through this one mailer. MAIL_URL picks the transport:
// `smtp://host:port` (or smtps://) sends; `file://path` writes each message
// as an .eml file into that folder (development and tests read them there).
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export class Mailer {
  private readonly transport: Transporter;
  private readonly folder: string | null;

  constructor(
    mailUrl: string,
    private readonly from: string,
  ) {
    const url = new URL(mailUrl);
    if (url.protocol === 'file:') {
      // file://.data/mail is relative to the working directory; file:///abs is absolute.
      const path = decodeURIComponent(url.host + url.pathname);
      this.folder = isAbsolute(path) ? path : resolve(path);
      this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    } else {
      this.folder = null;
      this.transport = nodemailer.createTransport(mailUrl);
    }
  }

  async send(message: MailMessage): Promise<void> {
    const info = (await this.transport.sendMail({ from: this.from, ...message })) as { message?: Buffer };
    if (this.folder) {
      await mkdir(this.folder, { recursive: true });
      const name = `${Date.now()}-${randomBytes(4).toString('hex')}.eml`;
      await writeFile(join(this.folder, name), info.message ?? '', { mode: 0o600 });
    }
  }

  close(): void {
    this.transport.close();
  }
}
