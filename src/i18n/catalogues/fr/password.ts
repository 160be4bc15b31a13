import type { Translation } from "../../catalogue.ts";

export default {
  heading: "Changer votre mot de passe",
  currentLabel: "Mot de passe actuel",
  newLabel: "Nouveau mot de passe",
  newHint: "Au moins 8 caractères. Quelques mots sans rapport entre eux font un mot de passe solide.",
  confirmLabel: "Saisissez à nouveau le nouveau mot de passe",
  signOutOthers: "Déconnecter les autres appareils et les applications",
  submit: "Changer le mot de passe",
  cancel: "Annuler",
  forgotten: "Vous avez oublié votre mot de passe actuel ? {link}.",
  resetInstead: "Réinitialisez-le plutôt",
} satisfies NonNullable<Translation["password"]>;
