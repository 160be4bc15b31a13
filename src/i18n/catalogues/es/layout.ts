import type { Translation } from "../../catalogue.ts";

export default {
  skipToContent: "Saltar al contenido",
  navMain: "Menú principal",
  navHelp: "Ayuda",
  navAccount: "Cuenta",
  navAdmin: "Administración",
  navSignIn: "Iniciar sesión",
  navCreateAccount: "Crear una cuenta",
  signOut: "Cerrar sesión",
  footerProblemsSigningIn: "¿Problemas para iniciar sesión?",
  footerPrivacy: "Privacidad",
  footerTerms: "Condiciones de uso",
  supportContact: "¿Necesitas hablar con una persona? Contacta con el soporte de {siteName}: {contact}",
  testModeLabel: "Modo de prueba",
  testModeBanner: "Modo de prueba: todas las verificaciones de seguridad dicen TESTME (audio 1234567). No uses nunca este ajuste con cuentas reales.",
  languageMenuLabel: "Idioma",
  languageMenuButton: "Cambiar idioma",
  errorSummaryTitle: "Hay un problema",
  errorPrefix: "Error:",
  passwordShow: "Mostrar",
  capsLock: "Las mayúsculas están activadas. Las contraseñas distinguen entre mayúsculas y minúsculas.",
} satisfies NonNullable<Translation["layout"]>;
