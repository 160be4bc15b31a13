import type { Translation } from "../../catalogue.ts";

export default {
  VALIDATION_FAILED: "Einige Angaben fehlen oder haben nicht die erwartete Form.",
  NAME_TOO_LONG: "Ihr Name darf höchstens 100 Zeichen lang sein.",
  NAME_INVALID: "Ihr Name darf keine Zeilenumbrüche, Tabulatoren oder andere unsichtbare Zeichen enthalten. Tippen Sie ihn erneut ein, statt ihn einzufügen.",
  PHONE_COUNTRY_NOT_SUPPORTED: "An Nummern in diesem Land können wir keine SMS senden. Verwenden Sie stattdessen Ihre E-Mail-Adresse.",
  PASSWORD_REQUIRED: "Geben Sie Ihr Passwort ein.",
  PASSWORD_TOO_SHORT: "Verwenden Sie mindestens 8 Zeichen für Ihr Passwort. Ein paar Wörter, die nichts miteinander zu tun haben, sind eine gute Wahl.",
  PASSWORD_TOO_LONG: "Ihr Passwort darf höchstens 128 Zeichen lang sein.",
  PASSWORD_TOO_WEAK: "Dieses Passwort wäre leicht zu erraten. Fügen Sie ein, zwei Wörter hinzu, oder nehmen Sie einen Satz, auf den nur Sie kommen.",
  PASSWORD_CONTAINS_IDENTIFIER: "Ihr Passwort enthält Ihre E-Mail-Adresse oder Handynummer und ist deshalb leicht zu erraten. Wählen Sie etwas anderes.",
  PASSWORD_MISMATCH: "Die beiden Passwörter stimmen nicht überein. Geben Sie das neue Passwort in beiden Feldern noch einmal ein.",
  PASSWORD_INCORRECT: "Ihr aktuelles Passwort stimmt nicht. Prüfen Sie die Feststelltaste und versuchen Sie es noch einmal.",
  SIGNIN_FAILED: "E-Mail-Adresse, Handynummer oder Passwort stimmen nicht. Achten Sie beim Passwort auf Groß- und Kleinschreibung und die Feststelltaste.",
  SIGNIN_LOCKED:
    "Mit dieser Adresse oder Nummer gab es zu viele fehlgeschlagene Anmeldeversuche, deshalb ist die Anmeldung für {wait} gesperrt. Sie können Ihr Passwort stattdessen gleich zurücksetzen: Das geht immer.",
  CAPTCHA_REQUIRED: "Bitte lösen Sie die Sicherheitsprüfung, damit wir wissen, dass Sie ein Mensch und kein Programm sind.",
  CAPTCHA_INCORRECT:
    "Die Antwort auf die Sicherheitsprüfung war nicht richtig. Hier ist eine neue: Geben Sie die Zeichen aus dem Bild oder die 7 gehörten Ziffern ein. Groß- und Kleinschreibung spielen keine Rolle.",
  CAPTCHA_EXPIRED: "Die Sicherheitsprüfung war abgelaufen oder schon verwendet. Hier ist eine neue.",
  CAPTCHA_ANSWER_MISSING: "Geben Sie Ihre Antwort auf die Sicherheitsprüfung ein: die Zeichen aus dem Bild oder die 7 gehörten Ziffern. Hier ist eine neue.",
  SECOND_FACTOR_REQUIRED:
    "Ihr Passwort war richtig. Schließen Sie die Anmeldung jetzt mit Ihrem Passkey, Ihrer Authenticator-App oder einem Wiederherstellungscode ab.",
  SECOND_FACTOR_INVALID:
    "Dieser Code stimmt nicht oder wurde schon verwendet. Geben Sie die 6 Ziffern ein, die Ihre Authenticator-App gerade zeigt, oder einen Ihrer Wiederherstellungscodes.",
  SECOND_FACTOR_LOCKED:
    "Es wurden zu viele falsche Codes eingegeben, deshalb sind Codes für {wait} gesperrt. Wenn Ihr Handy weg ist, verwenden Sie nach der Pause einen Wiederherstellungscode.",
  SIGNIN_FLOW_EXPIRED: "Diese Anmeldung ist abgelaufen oder schon abgeschlossen. Melden Sie sich noch einmal mit Ihrem Passwort an.",
  STEP_UP_REQUIRED: "Bevor Sie das ändern, bestätigen Sie bitte, dass Sie es sind: mit Ihrem Passwort, einem Passkey oder Ihrer Authenticator-App.",
  PASSKEY_FAILED:
    "Der Passkey ließ sich nicht verwenden. Vielleicht wurde der Vorgang abgebrochen, hat zu lange gedauert oder der Passkey gehört zu einer anderen Website. Versuchen Sie es noch einmal.",
  PASSKEY_NOT_FOUND: "Dieser Passkey gehört nicht zu Ihrem Konto.",
  PASSKEY_NAME_INVALID: "Geben Sie dem Passkey einen Namen mit 1 bis 64 Zeichen, etwa „Arbeitslaptop“.",
  TOTP_ALREADY_ENABLED: "Eine Authenticator-App ist bereits eingeschaltet. Schalten Sie sie zuerst aus, um eine andere einzurichten.",
  TOTP_NOT_SET_UP: "Beginnen Sie die Einrichtung der Authenticator-App von vorn: Sie hatte noch nicht begonnen oder ist schon abgeschlossen.",
  POW_REQUIRED:
    "Ihr Browser hat eine kurze Prüfung im Hintergrund nicht abgeschlossen. Laden Sie die Seite neu und versuchen Sie es noch einmal; passiert das öfter, schalten Sie JavaScript ein oder nutzen Sie stattdessen die Sicherheitsprüfung.",
  POW_INVALID: "Die Hintergrundprüfung Ihres Browsers war abgelaufen oder schon verwendet. Laden Sie die Seite neu und versuchen Sie es noch einmal.",
  POW_TOO_EASY:
    "Mit dieser Adresse oder Nummer gab es fehlgeschlagene Anmeldeversuche, deshalb muss die Hintergrundprüfung Ihres Browsers etwas mehr arbeiten. Versuchen Sie es noch einmal; das geschieht von selbst.",
  ACCOUNT_NOT_VERIFIED: "Bestätigen Sie Ihre E-Mail-Adresse oder Handynummer, bevor Sie sich anmelden. Wir haben Ihnen einen neuen Code geschickt.",
  UNAUTHENTICATED: "Melden Sie sich an, um fortzufahren.",
  VERIFICATION_CODE_INVALID:
    "Dieser Code stimmt nicht oder ist nicht mehr gültig. Sehen Sie in unserer neuesten Nachricht nach oder fordern Sie einen neuen Code an.",
  VERIFICATION_CODE_EXPIRED: "Dieser Code ist abgelaufen oder aufgebraucht. Fordern Sie einen neuen an und verwenden Sie den aus der neuesten Nachricht.",
  REGISTRATION_PASSWORD_REQUIRED:
    "Geben Sie das Passwort ein, das Sie beim Erstellen des Kontos gewählt haben, oder öffnen Sie den Link in dem Browser, in dem Sie es erstellt haben. Wenn Sie mit dieser Adresse oder Nummer kein Konto erstellt haben, erstellen Sie jetzt eines: Es ersetzt das unbestätigte.",
  REGISTRATION_PASSWORD_INCORRECT:
    "Das ist nicht das Passwort, mit dem dieses Konto erstellt wurde. Wenn Sie es nicht erstellt haben oder sich nicht an das Passwort erinnern, erstellen Sie das Konto mit dieser Adresse oder Nummer neu: Das ersetzt das unbestätigte.",
  RESET_TOKEN_INVALID:
    "Dieser Link ist unvollständig oder ungültig. Vielleicht wurde er beim Kopieren abgeschnitten. Fangen Sie neu an und öffnen Sie den Link aus der neuesten E-Mail.",
  RESET_TOKEN_EXPIRED: "Dieser Link ist abgelaufen: Links gelten 30 Minuten. Fangen Sie neu an, um einen frischen zu bekommen.",
  RESET_TOKEN_USED:
    "Dieser Link wurde schon verwendet, oder es wurde ein neuerer geschickt. Melden Sie sich mit Ihrem neuen Passwort an oder fangen Sie neu an.",
  RESET_CODE_INVALID: "Dieser Code stimmt nicht. Sehen Sie in unserer neuesten SMS nach und versuchen Sie es noch einmal.",
  RESET_CODE_EXPIRED:
    "Dieser Code ist abgelaufen oder aufgebraucht. Codes gelten 10 Minuten und 5 Versuche lang. Fangen Sie neu an, um einen neuen Code zu bekommen.",
  IDENTIFIER_ALREADY_YOURS: "Diese Adresse oder Nummer gehört bereits zu Ihrem Konto.",
  IDENTIFIER_LAST_ONE: "Die einzige E-Mail-Adresse oder Handynummer Ihres Kontos können Sie nicht entfernen.",
  IDENTIFIER_NOT_FOUND: "Diese E-Mail-Adresse oder Handynummer gehört nicht zu Ihrem Konto.",
  SESSION_NOT_FOUND: "Diese Sitzung gibt es nicht oder sie ist schon beendet.",
  ADMIN_LAST_ADMIN:
    "Dies ist der einzige aktive Administrator. Machen Sie zuerst ein anderes Konto zum Administrator, damit weiterhin jemand Konten verwalten kann.",
  FEEDBACK_REASON_INVALID: "Wählen Sie einen der Gründe aus der Liste. Gründe gibt es nur zur Antwort „Nein“.",
  FEEDBACK_COMMENT_TOO_LONG: "Ihr Kommentar darf höchstens 1.000 Zeichen lang sein. Bitte kürzen Sie ihn.",
  SEND_LIMITED: "Wir haben schon mehrere Nachrichten geschickt. Warten Sie bitte kurz, bevor Sie eine weitere anfordern.",
  DELIVERY_FAILED: "Wir konnten die Nachricht gerade nicht senden. Bitte versuchen Sie es in ein paar Minuten noch einmal.",
  SERVICE_UNAVAILABLE:
    "Ein Teil unseres Dienstes ist kurz nicht erreichbar, deshalb konnten wir das nicht abschließen. Bitte versuchen Sie es in einer Minute noch einmal.",
  CSRF_INVALID: "Dieses Formular ist abgelaufen. Wir haben ein neues geladen: Bitte versuchen Sie es noch einmal.",
  ORIGIN_REJECTED: "Diese Anfrage kam von einer anderen Website und wurde abgelehnt.",
  RATE_LIMITED: "Zu viele Anfragen. Bitte warten Sie einen Moment und versuchen Sie es dann noch einmal.",
  NOT_FOUND: "Hier gibt es nichts.",
  METHOD_NOT_ALLOWED: "Diese Adresse nimmt diese Art von Anfrage nicht an.",
  REQUEST_TIMEOUT: "Die Anfrage kam zu langsam an und wurde abgebrochen. Bitte prüfen Sie Ihre Verbindung und versuchen Sie es noch einmal.",
  PAYLOAD_TOO_LARGE: "Die gesendeten Daten sind zu groß.",
  HEADERS_TOO_LARGE:
    "Die Adresse oder die Kopfzeilen der Anfrage sind zu groß. Wenn das erneut passiert, löschen Sie die Cookies dieser Website und versuchen Sie es noch einmal.",
  UNSUPPORTED_MEDIA_TYPE: "Senden Sie JSON (Content-Type: application/json) oder ein Formular.",
  INTERNAL: "Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es noch einmal.",
  pageNotFoundTitle: "Seite nicht gefunden",
  pageFormExpiredTitle: "Dieses Formular ist abgelaufen",
  pageWaitTitle: "Bitte einen Moment Geduld",
  pageUnavailableTitle: "Gleich wieder da",
  pageErrorTitle: "Etwas ist schiefgegangen",
  pageReference: "Referenz: {id}",
  pageStartPage: "Zur Startseite",
  pageGoBack: "Zurück und noch einmal versuchen",
} satisfies NonNullable<Translation["errors"]>;
