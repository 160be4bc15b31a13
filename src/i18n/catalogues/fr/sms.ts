import type { Translation } from "../../catalogue.ts";

export default {
  code: "{code} est votre code de confirmation {siteName}. Il reste valable {minutes, plural, one {# minute} other {# minutes}}. Ne le communiquez à personne.",
  registrationAttempt:
    "Quelqu’un a voulu créer un compte {siteName} avec ce numéro, qui en a déjà un. Si c’était vous, connectez-vous : {signinLink}. Sinon, ignorez ce message.",
  identifierAdded: "{identifier} a été ajouté à votre compte {siteName}. Si ce n’était pas vous, connectez-vous et changez votre mot de passe.",
  resetCode:
    "{code} est votre code de réinitialisation {siteName}. Il reste valable {minutes, plural, one {# minute} other {# minutes}}. Si vous ne l’avez pas demandé, ignorez ce message et ne communiquez jamais le code.",
  passwordChanged: "Votre mot de passe {siteName} vient d’être modifié. Si ce n’était pas vous, réinitialisez-le maintenant : {resetLink}",
  securityNotice: "{siteName} : {headline}. Ce n’était pas vous ? Vérifiez maintenant : {reviewLink}",
  accountClosed: "{headline}.",
  adminNotice: "{siteName} : {text}",
} satisfies NonNullable<Translation["sms"]>;
