import type { Translation } from "../../catalogue.ts";

export default {
  welcomeBackNamed: "Bon retour, {name}",
  welcomeBack: "Bon retour",
  signedIn: "Vous êtes connecté.",
  goToAccount: "Aller à votre compte",
  help: "Aide",
  heading: "Connectez-vous à votre compte",
  lead: "Un seul compte, avec votre adresse e-mail ou votre numéro de mobile et un mot de passe.",
  signIn: "Se connecter",
  createAccount: "Créer un compte",
  forgot: "Mot de passe oublié ?",
  problems: "Un souci pour vous connecter ?",
  allArticles: "Tous les articles d’aide",
} satisfies NonNullable<Translation["home"]>;
