import type { Translation } from "../../catalogue.ts";

export default {
  legend: "Vérification de sécurité",
  why: "Pour protéger les comptes contre les tentatives automatisées, montrez-nous que vous êtes une personne.",
  imageAlt:
    "Image de la vérification de sécurité : saisissez les lettres et chiffres qu’elle montre. Si vous ne pouvez pas la lire, utilisez « Écouter le défi » ci-dessous pour une version audio.",
  hear: "Écouter le défi",
  another: "En essayer un autre",
  answerLabel: "Saisissez les caractères de l’image, ou les 7 chiffres entendus",
  answerHint: "Majuscules, minuscules et espaces n’ont pas d’importance.",
  trouble: "Un problème avec la vérification de sécurité ?",
  audioLabel: "Audio de la vérification de sécurité",
  audioPlaying: "Lecture de 7 chiffres, entre deux bips. Utilisez « Réécouter » pour les entendre à nouveau.",
  audioPress: "Appuyez sur lecture pour entendre 7 chiffres, entre deux bips.",
  audioFailed: "L’audio n’a pas pu être chargé. Choisissez « En essayer un autre » pour une nouvelle vérification de sécurité.",
  audioAgain: "Réécouter",
} satisfies NonNullable<Translation["captcha"]>;
