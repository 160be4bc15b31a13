import type { Translation } from "../../catalogue.ts";

export default {
  welcomeBackNamed: "Hola de nuevo, {name}",
  welcomeBack: "Hola de nuevo",
  signedIn: "Has iniciado sesión.",
  goToAccount: "Ir a tu cuenta",
  help: "Ayuda",
  heading: "Inicia sesión en tu cuenta",
  lead: "Una sola cuenta, con tu correo electrónico o tu número de móvil y una contraseña.",
  signIn: "Iniciar sesión",
  createAccount: "Crear una cuenta",
  forgot: "¿Has olvidado tu contraseña?",
  problems: "¿Problemas para iniciar sesión?",
  allArticles: "Todos los artículos de ayuda",
} satisfies NonNullable<Translation["home"]>;
