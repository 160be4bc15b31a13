import type { Translation } from "../../catalogue.ts";

export default {
  heading: "Passwort ändern",
  currentLabel: "Aktuelles Passwort",
  newLabel: "Neues Passwort",
  newHint: "Mindestens 8 Zeichen. Ein paar Wörter, die nichts miteinander zu tun haben, ergeben ein starkes Passwort.",
  confirmLabel: "Neues Passwort wiederholen",
  signOutOthers: "Auf anderen Geräten und in Apps abmelden",
  submit: "Passwort ändern",
  cancel: "Abbrechen",
  forgotten: "Sie wissen Ihr aktuelles Passwort nicht mehr? {link}.",
  resetInstead: "Setzen Sie es stattdessen zurück",
} satisfies NonNullable<Translation["password"]>;
