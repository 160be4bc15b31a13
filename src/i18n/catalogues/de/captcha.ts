import type { Translation } from "../../catalogue.ts";

export default {
  legend: "Sicherheitsprüfung",
  why: "Damit niemand Konten automatisch durchprobieren kann, zeigen Sie uns bitte, dass Sie ein Mensch sind.",
  imageAlt:
    "Bild der Sicherheitsprüfung: Geben Sie die Buchstaben und Ziffern ein, die es zeigt. Wenn Sie es nicht lesen können, nutzen Sie unten „Aufgabe anhören“ für eine Audiofassung.",
  hear: "Aufgabe anhören",
  another: "Andere Aufgabe",
  answerLabel: "Geben Sie die Zeichen aus dem Bild oder die 7 gehörten Ziffern ein",
  answerHint: "Groß- und Kleinschreibung und Leerzeichen spielen keine Rolle.",
  trouble: "Schwierigkeiten mit der Sicherheitsprüfung?",
  audioLabel: "Audio der Sicherheitsprüfung",
  audioPlaying: "7 Ziffern werden abgespielt, zwischen zwei Pieptönen. Mit „Noch einmal abspielen“ hören Sie sie erneut.",
  audioPress: "Drücken Sie auf Abspielen, um 7 Ziffern zwischen zwei Pieptönen zu hören.",
  audioFailed: "Das Audio ließ sich nicht laden. Wählen Sie „Andere Aufgabe“ für eine neue Sicherheitsprüfung.",
  audioAgain: "Noch einmal abspielen",
} satisfies NonNullable<Translation["captcha"]>;
