import type { Translation } from "../../catalogue.ts";

export default {
  welcomeBackNamed: "Willkommen zurück, {name}",
  welcomeBack: "Willkommen zurück",
  signedIn: "Sie sind angemeldet.",
  goToAccount: "Zu Ihrem Konto",
  help: "Hilfe",
  heading: "Bei Ihrem Konto anmelden",
  lead: "Ein Konto mit Ihrer E-Mail-Adresse oder Handynummer und einem Passwort.",
  signIn: "Anmelden",
  createAccount: "Konto erstellen",
  forgot: "Passwort vergessen?",
  problems: "Probleme bei der Anmeldung?",
  allArticles: "Alle Hilfeartikel",
} satisfies NonNullable<Translation["home"]>;
