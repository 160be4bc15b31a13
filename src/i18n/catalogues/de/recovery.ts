import type { Translation } from "../../catalogue.ts";

export default {
  help: "Hilfe beim Zurücksetzen des Passworts",
  requestHeading: "Passwort zurücksetzen",
  requestLead:
    "Geben Sie die E-Mail-Adresse oder Handynummer ein, mit der Sie sich anmelden. Wir schicken Ihnen einen Link per E-Mail oder einen Code per SMS.",
  requestSubmit: "Anleitung senden",
  backToSignin: "Zurück zur Anmeldung",
  sentHeading: "Sehen Sie in Ihr E-Mail-Postfach",
  sentNotice: "Falls ein Konto {sentTo} verwendet, haben wir dorthin einen Link für ein neues Passwort geschickt. Der Link ist 30 Minuten gültig.",
  sentTakesTime: "Es kann ein paar Minuten dauern, bis er ankommt. Sehen Sie auch im Spam-Ordner nach.",
  sentNewestOnly: "Nur der neueste Link funktioniert: Wenn Sie erneut anfragen, wird der vorherige ungültig.",
  sentNothing: "Nichts angekommen? Vielleicht verwenden Sie für dieses Konto eine andere Adresse. {link}.",
  sentTryAnother: "Andere Adresse oder Handynummer versuchen",
  confirmHeading: "Neues Passwort wählen",
  confirmCodeSent:
    "Falls ein Konto {sentTo} verwendet, haben wir dorthin einen 6-stelligen Code per SMS geschickt. Geben Sie ihn unten ein. Er ist 10 Minuten gültig.",
  mobileLabel: "Handynummer",
  codeLabel: "Code aus der SMS",
  newPasswordLabel: "Neues Passwort",
  newPasswordHint:
    "Mindestens 8 Zeichen, mit Beachtung der Groß- und Kleinschreibung. Ein paar Wörter, die nichts miteinander zu tun haben, ergeben ein starkes Passwort.",
  newPasswordConfirmLabel: "Neues Passwort wiederholen",
  signedOutEverywhere: "Nach der Änderung werden Sie auf allen Geräten abgemeldet, und wir informieren Sie per E-Mail oder SMS.",
  save: "Neues Passwort speichern",
  noCode: "Kein Code angekommen? {link}.",
  askNewCode: "Neuen Code anfordern",
  expiredTitle: "Dieser Link ist abgelaufen",
  expiredText: "Links zum Zurücksetzen gelten 30 Minuten, und dieser ist älter. Fangen Sie neu an, um einen frischen Link zu bekommen.",
  usedTitle: "Dieser Link wurde schon verwendet",
  usedText:
    "Jeder Link funktioniert nur einmal, und nur der neueste. Wenn Sie gerade ein neues Passwort gewählt haben, melden Sie sich damit an. Andernfalls fangen Sie neu an.",
  invalidTitle: "Dieser Link ist ungültig",
  invalidText:
    "Der Link ist unvollständig oder verändert, vielleicht wurde er beim Kopieren abgeschnitten. Öffnen Sie ihn direkt aus der E-Mail, oder fangen Sie neu an.",
  startNewReset: "Neu zurücksetzen",
} satisfies NonNullable<Translation["recovery"]>;
