import type { Translation } from "../../catalogue.ts";

export default {
  IDENTIFIER_REQUIRED: "Saisissez votre adresse e-mail ou votre numéro de mobile.",
  IDENTIFIER_TOO_LONG: "C’est trop long pour une adresse e-mail ou un numéro de mobile. Vérifiez que vous n’en avez saisi qu’un seul, sans rien d’autre.",
  IDENTIFIER_INVALID_CHARACTERS:
    "Cela contient un saut de ligne, une tabulation ou un autre caractère invisible. Retapez votre adresse e-mail ou votre numéro de mobile au lieu de le coller.",
  IDENTIFIER_EMAIL_MISSING_AT: "Saisissez une adresse e-mail de la forme nom@example.com, ou un numéro de mobile commençant par l’indicatif du pays.",
  IDENTIFIER_EMAIL_MULTIPLE_AT: "Une adresse e-mail ne contient qu’un seul @. Saisissez une seule adresse, comme nom@example.com.",
  IDENTIFIER_EMAIL_MISSING_LOCAL: "Ajoutez la partie avant le @ : votre nom ou identifiant chez votre fournisseur, comme nom@example.com.",
  IDENTIFIER_EMAIL_MISSING_DOMAIN: "Ajoutez la partie après le @ : le domaine de votre fournisseur d’e-mail, comme nom@example.com.",
  IDENTIFIER_EMAIL_HAS_SPACE: "Une adresse e-mail ne contient pas d’espaces. Retirez-les, comme dans nom@example.com.",
  IDENTIFIER_EMAIL_DOMAIN_NO_DOT: "La partie après le @ doit avoir un point et une terminaison comme .fr ou .com, comme nom@example.com.",
  IDENTIFIER_EMAIL_INVALID:
    "Ce n’est pas une adresse e-mail valide. Vérifiez les fautes de frappe, les points en trop ou les caractères inhabituels, comme dans nom@example.com.",
  IDENTIFIER_PHONE_MISSING_COUNTRY_CODE: "Ajoutez l’indicatif du pays au début de votre numéro de mobile, par exemple {example} ou 0044 7400 123456.",
  IDENTIFIER_PHONE_INVALID: "Ce n’est pas un numéro de téléphone valide. Vérifiez les chiffres et l’indicatif du pays, par exemple {example}.",
  IDENTIFIER_PHONE_NOT_MOBILE: "Ce numéro ne peut pas recevoir de SMS. Saisissez un numéro de mobile, ou utilisez plutôt votre adresse e-mail.",
  IDENTIFIER_PHONE_AMBIGUOUS:
    "Ce numéro peut se lire de plusieurs façons. Choisissez le vôtre ci-dessous, ou retapez-le en commençant par + et l’indicatif du pays.",
  choicesAmbiguous: "Vouliez-vous dire :",
  choicesCountry: "Ou choisissez votre pays :",
  suggestion: "Vouliez-vous dire {suggestion} ?",
} satisfies NonNullable<Translation["identifiers"]>;
