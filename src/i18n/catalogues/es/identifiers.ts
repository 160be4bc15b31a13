import type { Translation } from "../../catalogue.ts";

export default {
  IDENTIFIER_REQUIRED: "Escribe tu correo electrónico o tu número de móvil.",
  IDENTIFIER_TOO_LONG: "Es demasiado largo para un correo electrónico o un número de móvil. Comprueba que solo has escrito uno y nada más.",
  IDENTIFIER_INVALID_CHARACTERS:
    "Contiene un salto de línea, un tabulador u otro carácter oculto. Vuelve a escribir tu correo electrónico o número de móvil en lugar de pegarlo.",
  IDENTIFIER_EMAIL_MISSING_AT: "Escribe un correo electrónico con la forma nombre@example.com, o un número de móvil que empiece por el prefijo del país.",
  IDENTIFIER_EMAIL_MULTIPLE_AT: "Un correo electrónico solo tiene una @. Escribe una sola dirección, como nombre@example.com.",
  IDENTIFIER_EMAIL_MISSING_LOCAL: "Añade la parte anterior a la @: tu nombre o usuario en tu proveedor, como nombre@example.com.",
  IDENTIFIER_EMAIL_MISSING_DOMAIN: "Añade la parte posterior a la @: el dominio de tu proveedor de correo, como nombre@example.com.",
  IDENTIFIER_EMAIL_HAS_SPACE: "Un correo electrónico no puede tener espacios. Quítalos, como en nombre@example.com.",
  IDENTIFIER_EMAIL_DOMAIN_NO_DOT: "La parte posterior a la @ necesita un punto y una terminación como .es o .com, como nombre@example.com.",
  IDENTIFIER_EMAIL_INVALID:
    "No es un correo electrónico válido. Revisa si hay erratas, puntos de más o caracteres poco habituales, como en nombre@example.com.",
  IDENTIFIER_PHONE_MISSING_COUNTRY_CODE: "Añade el prefijo de tu país al principio del número de móvil, por ejemplo {example} o 0044 7400 123456.",
  IDENTIFIER_PHONE_INVALID: "No es un número de teléfono válido. Revisa los dígitos y el prefijo del país, por ejemplo {example}.",
  IDENTIFIER_PHONE_NOT_MOBILE: "Ese número no puede recibir SMS. Escribe un número de móvil, o usa tu correo electrónico.",
  IDENTIFIER_PHONE_AMBIGUOUS: "Ese número se puede leer de más de una forma. Elige el tuyo abajo, o vuelve a escribirlo empezando por + y el prefijo del país.",
  choicesAmbiguous: "¿Querías decir…?",
  choicesCountry: "O elige tu país:",
  suggestion: "¿Querías decir {suggestion}?",
} satisfies NonNullable<Translation["identifiers"]>;
