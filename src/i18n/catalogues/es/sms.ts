import type { Translation } from "../../catalogue.ts";

export default {
  code: "{code} es tu código de confirmación de {siteName}. Sirve durante {minutes, plural, one {# minuto} other {# minutos}}. No se lo des a nadie.",
  registrationAttempt:
    "Alguien intentó crear una cuenta de {siteName} con este número, que ya tiene una. Si fuiste tú, inicia sesión: {signinLink}. Si no, ignora este mensaje.",
  identifierAdded: "{identifier} se añadió a tu cuenta de {siteName}. Si no fuiste tú, inicia sesión y cambia tu contraseña.",
  resetCode:
    "{code} es tu código para restablecer la contraseña de {siteName}. Sirve durante {minutes, plural, one {# minuto} other {# minutos}}. Si no lo pediste, ignora este mensaje y no compartas el código.",
  passwordChanged: "Se acaba de cambiar tu contraseña de {siteName}. Si no fuiste tú, restablécela ahora: {resetLink}",
  securityNotice: "{siteName}: {headline}. ¿No fuiste tú? Revísalo ahora: {reviewLink}",
  accountClosed: "{headline}.",
  adminNotice: "{siteName}: {text}",
} satisfies NonNullable<Translation["sms"]>;
