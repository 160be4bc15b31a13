import type { Translation } from "../../catalogue.ts";

export default {
  heading: "Cambia tu contraseña",
  currentLabel: "Contraseña actual",
  newLabel: "Contraseña nueva",
  newHint: "Al menos 8 caracteres. Unas cuantas palabras sin relación entre sí forman una contraseña fuerte.",
  confirmLabel: "Escribe de nuevo la contraseña nueva",
  signOutOthers: "Cerrar sesión en los demás dispositivos y en las apps",
  submit: "Cambiar contraseña",
  cancel: "Cancelar",
  forgotten: "¿Has olvidado tu contraseña actual? {link}.",
  resetInstead: "Restablécela",
} satisfies NonNullable<Translation["password"]>;
