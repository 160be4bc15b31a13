import type { Translation } from "../../catalogue.ts";

export default {
  code: "{code} ist Ihr Bestätigungscode für {siteName}. Er gilt {minutes, plural, one {# Minute} other {# Minuten}}. Geben Sie ihn niemals weiter.",
  registrationAttempt:
    "Jemand wollte mit dieser Nummer ein Konto bei {siteName} anlegen, doch sie hat schon eins. Waren Sie das, melden Sie sich an: {signinLink}. Sonst ignorieren Sie diese Nachricht.",
  identifierAdded: "{identifier} wurde Ihrem Konto bei {siteName} hinzugefügt. Waren Sie das nicht, melden Sie sich an und ändern Sie Ihr Passwort.",
  resetCode:
    "{code} ist Ihr Code zum Zurücksetzen des Passworts bei {siteName}. Er gilt {minutes, plural, one {# Minute} other {# Minuten}}. Nicht angefordert? Ignorieren Sie diese Nachricht und geben Sie den Code nie weiter.",
  passwordChanged: "Ihr Passwort bei {siteName} wurde gerade geändert. Waren Sie das nicht, setzen Sie es jetzt zurück: {resetLink}",
  securityNotice: "{siteName}: {headline}. Waren Sie das nicht? Prüfen Sie es jetzt: {reviewLink}",
  accountClosed: "{headline}.",
  adminNotice: "{siteName}: {text}",
} satisfies NonNullable<Translation["sms"]>;
