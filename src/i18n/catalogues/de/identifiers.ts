import type { Translation } from "../../catalogue.ts";

export default {
  IDENTIFIER_REQUIRED: "Geben Sie Ihre E-Mail-Adresse oder Handynummer ein.",
  IDENTIFIER_TOO_LONG: "Das ist zu lang für eine E-Mail-Adresse oder Handynummer. Prüfen Sie, ob Sie nur eine eingegeben haben und sonst nichts.",
  IDENTIFIER_INVALID_CHARACTERS:
    "Darin steckt ein Zeilenumbruch, ein Tabulator oder ein anderes unsichtbares Zeichen. Tippen Sie Ihre E-Mail-Adresse oder Handynummer neu, statt sie einzufügen.",
  IDENTIFIER_EMAIL_MISSING_AT: "Geben Sie eine E-Mail-Adresse in der Form name@example.com ein, oder eine Handynummer mit Ländervorwahl.",
  IDENTIFIER_EMAIL_MULTIPLE_AT: "Eine E-Mail-Adresse hat nur ein @. Geben Sie eine einzige Adresse ein, etwa name@example.com.",
  IDENTIFIER_EMAIL_MISSING_LOCAL: "Ergänzen Sie den Teil vor dem @: Ihren Namen oder Benutzernamen bei Ihrem Anbieter, etwa name@example.com.",
  IDENTIFIER_EMAIL_MISSING_DOMAIN: "Ergänzen Sie den Teil nach dem @: die Domain Ihres E-Mail-Anbieters, etwa name@example.com.",
  IDENTIFIER_EMAIL_HAS_SPACE: "Eine E-Mail-Adresse enthält keine Leerzeichen. Entfernen Sie sie, etwa name@example.com.",
  IDENTIFIER_EMAIL_DOMAIN_NO_DOT: "Der Teil nach dem @ braucht einen Punkt und eine Endung wie .de oder .com, etwa name@example.com.",
  IDENTIFIER_EMAIL_INVALID:
    "Das ist keine gültige E-Mail-Adresse. Prüfen Sie sie auf Tippfehler, doppelte Punkte oder ungewöhnliche Zeichen, etwa name@example.com.",
  IDENTIFIER_PHONE_MISSING_COUNTRY_CODE: "Setzen Sie Ihre Ländervorwahl vor die Handynummer, zum Beispiel {example} oder 0044 7400 123456.",
  IDENTIFIER_PHONE_INVALID: "Das ist keine gültige Telefonnummer. Prüfen Sie die Ziffern und die Ländervorwahl, zum Beispiel {example}.",
  IDENTIFIER_PHONE_NOT_MOBILE: "Diese Nummer kann keine SMS empfangen. Geben Sie eine Handynummer ein, oder verwenden Sie Ihre E-Mail-Adresse.",
  IDENTIFIER_PHONE_AMBIGUOUS:
    "Diese Nummer lässt sich auf mehrere Arten lesen. Wählen Sie unten Ihre aus, oder geben Sie sie erneut mit + und Ländervorwahl ein.",
  choicesAmbiguous: "Meinten Sie:",
  choicesCountry: "Oder wählen Sie Ihr Land:",
  suggestion: "Meinten Sie {suggestion}?",
} satisfies NonNullable<Translation["identifiers"]>;
