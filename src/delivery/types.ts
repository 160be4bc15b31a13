// Senders of e-mail and SMS. A sender throws DeliveryError when the message could not be handed over.

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SMSMessage {
  /** E.164 number. */
  to: string;
  body: string;
}

export interface Mailer {
  sendEmail(message: EmailMessage): Promise<void>;
  close?(): void;
}

export interface SMSSender {
  sendSMS(message: SMSMessage): Promise<void>;
}

export class DeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeliveryError";
  }
}
