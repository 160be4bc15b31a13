import type { Translation } from "../../catalogue.ts";

export default {
  VALIDATION_FAILED: "Certaines informations envoyées manquent ou n’ont pas la forme attendue.",
  NAME_TOO_LONG: "Votre nom peut compter 100 caractères au maximum.",
  NAME_INVALID: "Votre nom ne peut pas contenir de saut de ligne, de tabulation ni d’autre caractère invisible. Tapez-le de nouveau au lieu de le coller.",
  PHONE_COUNTRY_NOT_SUPPORTED: "Nous ne pouvons pas envoyer de SMS aux numéros de ce pays. Utilisez plutôt votre adresse e-mail.",
  PASSWORD_REQUIRED: "Saisissez votre mot de passe.",
  PASSWORD_TOO_SHORT: "Utilisez au moins 8 caractères pour votre mot de passe. Quelques mots sans rapport entre eux font un bon choix.",
  PASSWORD_TOO_LONG: "Votre mot de passe peut compter 128 caractères au maximum.",
  PASSWORD_TOO_WEAK: "Ce mot de passe serait facile à deviner. Ajoutez un ou deux mots, ou choisissez une phrase à laquelle vous seul penseriez.",
  PASSWORD_CONTAINS_IDENTIFIER:
    "Votre mot de passe contient votre adresse e-mail ou votre numéro de mobile, ce qui le rend facile à deviner. Choisissez autre chose.",
  PASSWORD_MISMATCH: "Les deux mots de passe ne sont pas identiques. Saisissez à nouveau le nouveau mot de passe dans les deux champs.",
  PASSWORD_INCORRECT: "Votre mot de passe actuel n’est pas le bon. Vérifiez le verrouillage des majuscules et réessayez.",
  SIGNIN_FAILED:
    "L’adresse e-mail, le numéro de mobile ou le mot de passe n’est pas le bon. Les mots de passe tiennent compte des majuscules : vérifiez le verrouillage des majuscules.",
  SIGNIN_LOCKED:
    "Il y a eu trop de tentatives de connexion échouées avec cette adresse ou ce numéro : la connexion est suspendue pendant {wait}. Vous pouvez plutôt réinitialiser votre mot de passe dès maintenant, cela fonctionne toujours.",
  CAPTCHA_REQUIRED: "Merci de répondre à la vérification de sécurité, pour que nous sachions que vous êtes une personne et non un programme.",
  CAPTCHA_INCORRECT:
    "Cette réponse à la vérification de sécurité n’était pas la bonne. En voici une nouvelle : saisissez les caractères de l’image, ou les 7 chiffres entendus. Majuscules et minuscules n’ont pas d’importance.",
  CAPTCHA_EXPIRED: "La vérification de sécurité avait expiré ou avait déjà servi. En voici une nouvelle.",
  CAPTCHA_ANSWER_MISSING:
    "Saisissez votre réponse à la vérification de sécurité : les caractères de l’image, ou les 7 chiffres entendus. En voici une nouvelle.",
  SECOND_FACTOR_REQUIRED:
    "Votre mot de passe est correct. Terminez maintenant la connexion avec votre clé d’accès, votre application d’authentification ou un code de récupération.",
  SECOND_FACTOR_INVALID:
    "Ce code n’est pas le bon, ou il a déjà servi. Saisissez les 6 chiffres qu’affiche votre application d’authentification en ce moment, ou l’un de vos codes de récupération.",
  SECOND_FACTOR_LOCKED:
    "Trop de codes erronés ont été saisis : les codes sont suspendus pendant {wait}. Si vous avez perdu votre téléphone, utilisez un code de récupération une fois la pause terminée.",
  SIGNIN_FLOW_EXPIRED: "Cette connexion a expiré ou est déjà terminée. Reconnectez-vous avec votre mot de passe.",
  STEP_UP_REQUIRED:
    "Pour modifier ceci, confirmez d’abord que c’est bien vous : avec votre mot de passe, une clé d’accès ou votre application d’authentification.",
  PASSKEY_FAILED:
    "La clé d’accès n’a pas pu être utilisée. L’opération a peut-être été annulée ou a pris trop de temps, ou la clé appartient à un autre site. Réessayez.",
  PASSKEY_NOT_FOUND: "Cette clé d’accès n’est pas associée à votre compte.",
  PASSKEY_NAME_INVALID: "Donnez à la clé d’accès un nom de 1 à 64 caractères, par exemple « Portable du bureau ».",
  TOTP_ALREADY_ENABLED: "Une application d’authentification est déjà activée. Désactivez-la d’abord pour en configurer une autre.",
  TOTP_NOT_SET_UP: "Recommencez la configuration de l’application d’authentification : elle n’avait pas commencé ou est déjà terminée.",
  POW_REQUIRED:
    "Votre navigateur n’a pas terminé une courte vérification en arrière-plan. Rechargez la page et réessayez ; si cela se reproduit, activez JavaScript ou utilisez plutôt la vérification de sécurité.",
  POW_INVALID: "La vérification en arrière-plan de votre navigateur avait expiré ou avait déjà servi. Rechargez la page et réessayez.",
  POW_TOO_EASY:
    "Il y a eu des tentatives de connexion échouées avec cette adresse ou ce numéro : la vérification en arrière-plan de votre navigateur doit donc travailler un peu plus. Réessayez, cela se fait tout seul.",
  ACCOUNT_NOT_VERIFIED: "Confirmez votre adresse e-mail ou votre numéro de mobile avant de vous connecter. Nous vous avons envoyé un nouveau code.",
  UNAUTHENTICATED: "Connectez-vous pour continuer.",
  VERIFICATION_CODE_INVALID:
    "Ce code n’est pas le bon, ou il n’est plus valable. Vérifiez le message le plus récent que nous avons envoyé, ou demandez un nouveau code.",
  VERIFICATION_CODE_EXPIRED: "Ce code a expiré ou a été épuisé. Demandez un nouveau code et utilisez celui du message le plus récent.",
  REGISTRATION_PASSWORD_REQUIRED:
    "Saisissez le mot de passe choisi lors de la création du compte, ou ouvrez le lien dans le navigateur où vous l’avez créé. Si vous n’avez pas créé de compte avec cette adresse ou ce numéro, créez-en un maintenant : il remplace celui qui n’est pas confirmé.",
  REGISTRATION_PASSWORD_INCORRECT:
    "Ce n’est pas le mot de passe avec lequel ce compte a été créé. Si vous ne l’avez pas créé, ou si vous ne vous souvenez plus du mot de passe, créez de nouveau le compte avec cette adresse ou ce numéro : cela remplace celui qui n’est pas confirmé.",
  RESET_TOKEN_INVALID:
    "Ce lien de réinitialisation est incomplet ou invalide. Il a peut-être été coupé lors d’un copier-coller. Recommencez et ouvrez le lien de l’e-mail le plus récent.",
  RESET_TOKEN_EXPIRED: "Ce lien de réinitialisation a expiré : les liens sont valables 30 minutes. Recommencez pour en recevoir un nouveau.",
  RESET_TOKEN_USED: "Ce lien a déjà servi, ou un lien plus récent a été envoyé. Connectez-vous avec votre nouveau mot de passe, ou recommencez.",
  RESET_CODE_INVALID: "Ce code n’est pas le bon. Vérifiez le dernier SMS que nous avons envoyé et réessayez.",
  RESET_CODE_EXPIRED: "Ce code a expiré ou a été épuisé. Les codes sont valables 10 minutes et 5 essais. Recommencez pour recevoir un nouveau code.",
  IDENTIFIER_ALREADY_YOURS: "Cette adresse ou ce numéro est déjà sur votre compte.",
  IDENTIFIER_LAST_ONE: "Vous ne pouvez pas retirer la seule adresse e-mail ou le seul numéro de mobile de votre compte.",
  IDENTIFIER_NOT_FOUND: "Cette adresse e-mail ou ce numéro de mobile n’est pas sur votre compte.",
  SESSION_NOT_FOUND: "Cette session n’existe pas ou est déjà terminée.",
  ADMIN_LAST_ADMIN: "C’est le seul administrateur actif. Nommez d’abord un autre compte administrateur, pour que quelqu’un puisse toujours gérer les comptes.",
  FEEDBACK_REASON_INVALID: "Choisissez l’une des raisons de la liste. Une raison ne peut accompagner qu’une réponse « Non ».",
  FEEDBACK_COMMENT_TOO_LONG: "Votre commentaire peut compter 1 000 caractères au maximum. Merci de le raccourcir.",
  SEND_LIMITED: "Nous avons déjà envoyé plusieurs messages. Patientez un peu avant d’en demander un autre.",
  DELIVERY_FAILED: "Nous n’avons pas pu envoyer le message pour le moment. Réessayez dans quelques minutes.",
  SERVICE_UNAVAILABLE: "Une partie de notre service est brièvement indisponible, nous n’avons donc pas pu terminer. Réessayez dans une minute.",
  CSRF_INVALID: "Ce formulaire a expiré. Nous en avons chargé un nouveau : merci de réessayer.",
  ORIGIN_REJECTED: "Cette requête venait d’un autre site et a été refusée.",
  RATE_LIMITED: "Trop de requêtes. Patientez un instant et réessayez.",
  NOT_FOUND: "Il n’y a rien ici.",
  METHOD_NOT_ALLOWED: "Cette adresse n’accepte pas ce type de requête.",
  REQUEST_TIMEOUT: "La requête a mis trop de temps à arriver et a été interrompue. Vérifiez votre connexion et réessayez.",
  PAYLOAD_TOO_LARGE: "Les données envoyées sont trop volumineuses.",
  HEADERS_TOO_LARGE: "L’adresse ou les en-têtes de la requête sont trop volumineux. Si cela se reproduit, effacez les cookies de ce site et réessayez.",
  UNSUPPORTED_MEDIA_TYPE: "Envoyez du JSON (Content-Type: application/json) ou un formulaire.",
  INTERNAL: "Un problème est survenu de notre côté. Merci de réessayer.",
  pageNotFoundTitle: "Page introuvable",
  pageFormExpiredTitle: "Ce formulaire a expiré",
  pageWaitTitle: "Un petit instant",
  pageUnavailableTitle: "De retour dans un instant",
  pageErrorTitle: "Un problème est survenu",
  pageReference: "Référence : {id}",
  pageStartPage: "Aller à la page d’accueil",
  pageGoBack: "Revenir en arrière et réessayer",
} satisfies NonNullable<Translation["errors"]>;
