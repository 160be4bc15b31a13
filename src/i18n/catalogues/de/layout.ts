import type { Translation } from "../../catalogue.ts";

export default {
  skipToContent: "Zum Inhalt springen",
  navMain: "Hauptmenü",
  navHelp: "Hilfe",
  navAccount: "Konto",
  navAdmin: "Verwaltung",
  navSignIn: "Anmelden",
  navCreateAccount: "Konto erstellen",
  signOut: "Abmelden",
  footerProblemsSigningIn: "Probleme bei der Anmeldung?",
  footerPrivacy: "Datenschutz",
  footerTerms: "Nutzungsbedingungen",
  supportContact: "Sie möchten mit einem Menschen sprechen? So erreichen Sie den Support von {siteName}: {contact}",
  testModeLabel: "Testmodus",
  testModeBanner: "Testmodus: Jede Sicherheitsprüfung lautet TESTME (Audio 1234567). Verwenden Sie diese Einstellung nie mit echten Konten.",
  languageMenuLabel: "Sprache",
  languageMenuButton: "Sprache wechseln",
  errorSummaryTitle: "Es gibt ein Problem",
  errorPrefix: "Fehler:",
  passwordShow: "Anzeigen",
  capsLock: "Die Feststelltaste ist aktiv. Bei Passwörtern zählt die Groß- und Kleinschreibung.",
} satisfies NonNullable<Translation["layout"]>;
