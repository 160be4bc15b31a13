import type { Translation } from "../../catalogue.ts";

export default {
  skipToContent: "Aller au contenu",
  navMain: "Menu principal",
  navHelp: "Aide",
  navAccount: "Compte",
  navAdmin: "Administration",
  navSignIn: "Se connecter",
  navCreateAccount: "Créer un compte",
  signOut: "Se déconnecter",
  footerProblemsSigningIn: "Un souci pour vous connecter ?",
  footerPrivacy: "Confidentialité",
  footerTerms: "Conditions d’utilisation",
  supportContact: "Besoin de parler à quelqu’un ? Contactez l’assistance de {siteName} : {contact}",
  testModeLabel: "Mode test",
  testModeBanner: "Mode test : chaque vérification de sécurité se lit TESTME (audio 1234567). N’utilisez jamais ce réglage avec de vrais comptes.",
  languageMenuLabel: "Langue",
  languageMenuButton: "Changer de langue",
  errorSummaryTitle: "Il y a un problème",
  errorPrefix: "Erreur :",
  passwordShow: "Afficher",
  capsLock: "Le verrouillage des majuscules est activé. Les mots de passe tiennent compte des majuscules.",
} satisfies NonNullable<Translation["layout"]>;
