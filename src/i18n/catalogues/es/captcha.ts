import type { Translation } from "../../catalogue.ts";

export default {
  legend: "Verificación de seguridad",
  why: "Para proteger las cuentas de los intentos automáticos, demuéstranos que eres una persona.",
  imageAlt:
    "Imagen de la verificación de seguridad: escribe las letras y los números que muestra. Si no puedes leerla, usa «Escuchar el desafío» más abajo para oír una versión en audio.",
  hear: "Escuchar el desafío",
  another: "Probar con otro",
  answerLabel: "Escribe los caracteres de la imagen o los 7 dígitos que oigas",
  answerHint: "Da igual si usas mayúsculas o minúsculas, y los espacios no cuentan.",
  trouble: "¿Problemas con la verificación de seguridad?",
  audioLabel: "Audio de la verificación de seguridad",
  audioPlaying: "Suenan 7 dígitos entre dos pitidos. Usa «Volver a escuchar» para oírlos otra vez.",
  audioPress: "Pulsa reproducir para oír 7 dígitos entre dos pitidos.",
  audioFailed: "No se ha podido cargar el audio. Elige «Probar con otro» para una nueva verificación de seguridad.",
  audioAgain: "Volver a escuchar",
} satisfies NonNullable<Translation["captcha"]>;
