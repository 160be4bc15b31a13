import type { Translation } from "../../catalogue.ts";

export default {
  VALIDATION_FAILED: "Falta parte de lo que se ha enviado o no tiene la forma esperada.",
  NAME_TOO_LONG: "Tu nombre puede tener como máximo 100 caracteres.",
  NAME_INVALID: "Tu nombre no puede contener saltos de línea, tabulaciones ni otros caracteres ocultos. Escríbelo de nuevo en lugar de pegarlo.",
  PHONE_COUNTRY_NOT_SUPPORTED: "No podemos enviar SMS a números de ese país. Usa tu correo electrónico en su lugar.",
  PASSWORD_REQUIRED: "Escribe tu contraseña.",
  PASSWORD_TOO_SHORT: "Usa al menos 8 caracteres para tu contraseña. Unas cuantas palabras sin relación entre sí son una buena opción.",
  PASSWORD_TOO_LONG: "Tu contraseña puede tener como máximo 128 caracteres.",
  PASSWORD_TOO_WEAK: "Esta contraseña sería fácil de adivinar. Añade una o dos palabras más, o usa una frase que solo se te ocurriría a ti.",
  PASSWORD_CONTAINS_IDENTIFIER: "Tu contraseña contiene tu correo electrónico o tu número de móvil, así que es fácil de adivinar. Elige otra.",
  PASSWORD_MISMATCH: "Las dos contraseñas no coinciden. Vuelve a escribir la contraseña nueva en los dos campos.",
  PASSWORD_INCORRECT: "Tu contraseña actual no es correcta. Comprueba si tienes las mayúsculas activadas e inténtalo de nuevo.",
  SIGNIN_FAILED:
    "El correo electrónico, el número de móvil o la contraseña no son correctos. Las contraseñas distinguen mayúsculas y minúsculas: comprueba si tienes las mayúsculas activadas.",
  SIGNIN_LOCKED:
    "Ha habido demasiados intentos fallidos de iniciar sesión con esta dirección o número, así que el inicio de sesión queda en pausa durante {wait}. Mientras tanto puedes restablecer tu contraseña: eso siempre funciona.",
  CAPTCHA_REQUIRED: "Completa la verificación de seguridad, para que sepamos que eres una persona y no un programa.",
  CAPTCHA_INCORRECT:
    "La respuesta a la verificación de seguridad no era correcta. Aquí tienes otra: escribe los caracteres de la imagen o los 7 dígitos que oigas. Da igual si usas mayúsculas o minúsculas.",
  CAPTCHA_EXPIRED: "La verificación de seguridad había caducado o ya se había usado. Aquí tienes otra.",
  CAPTCHA_ANSWER_MISSING: "Escribe tu respuesta a la verificación de seguridad: los caracteres de la imagen o los 7 dígitos que oigas. Aquí tienes otra.",
  SECOND_FACTOR_REQUIRED:
    "Tu contraseña es correcta. Ahora termina de iniciar sesión con tu llave de acceso, tu aplicación de autenticación o un código de recuperación.",
  SECOND_FACTOR_INVALID:
    "Ese código no es correcto o ya se ha usado. Escribe los 6 dígitos que muestra ahora tu aplicación de autenticación, o uno de tus códigos de recuperación.",
  SECOND_FACTOR_LOCKED:
    "Se han escrito demasiados códigos incorrectos, así que los códigos quedan en pausa durante {wait}. Si has perdido el teléfono, usa un código de recuperación cuando termine la pausa.",
  SIGNIN_FLOW_EXPIRED: "Este inicio de sesión ha caducado o ya había terminado. Vuelve a iniciar sesión con tu contraseña.",
  STEP_UP_REQUIRED: "Para cambiar esto, primero confirma que eres tú: con tu contraseña, una llave de acceso o tu aplicación de autenticación.",
  PASSKEY_FAILED:
    "No se ha podido usar la llave de acceso. Puede que se haya cancelado, que haya tardado demasiado o que sea de otro sitio. Inténtalo de nuevo.",
  PASSKEY_NOT_FOUND: "Esa llave de acceso no está en tu cuenta.",
  PASSKEY_NAME_INVALID: "Ponle a la llave de acceso un nombre de 1 a 64 caracteres, como «Portátil del trabajo».",
  TOTP_ALREADY_ENABLED: "Ya tienes activada una aplicación de autenticación. Desactívala primero para configurar otra.",
  TOTP_NOT_SET_UP: "Vuelve a empezar la configuración de la aplicación de autenticación: no había comenzado o ya había terminado.",
  POW_REQUIRED:
    "Tu navegador no terminó una breve comprobación en segundo plano. Recarga la página e inténtalo de nuevo; si sigue pasando, activa JavaScript o usa la verificación de seguridad.",
  POW_INVALID: "La comprobación en segundo plano de tu navegador había caducado o ya se había usado. Recarga la página e inténtalo de nuevo.",
  POW_TOO_EASY:
    "Ha habido intentos fallidos de iniciar sesión con esta dirección o número, así que la comprobación en segundo plano de tu navegador tiene que trabajar un poco más. Inténtalo de nuevo; se hace sola.",
  ACCOUNT_NOT_VERIFIED: "Confirma tu correo electrónico o tu número de móvil antes de iniciar sesión. Te hemos enviado un código nuevo.",
  UNAUTHENTICATED: "Inicia sesión para continuar.",
  VERIFICATION_CODE_INVALID: "Ese código no es correcto o ya no se puede usar. Revisa el mensaje más reciente que te enviamos o pide un código nuevo.",
  VERIFICATION_CODE_EXPIRED: "Ese código ha caducado o ya no quedan intentos. Pide un código nuevo y usa el del mensaje más reciente.",
  REGISTRATION_PASSWORD_REQUIRED:
    "Escribe la contraseña que elegiste al crear la cuenta, o abre el enlace en el navegador donde la creaste. Si no creaste una cuenta con esta dirección o número, créala ahora: sustituye a la que no está confirmada.",
  REGISTRATION_PASSWORD_INCORRECT:
    "Esa no es la contraseña con la que se creó esta cuenta. Si no la creaste tú o no recuerdas la contraseña, vuelve a crear la cuenta con esta dirección o número: eso sustituye a la que no está confirmada.",
  RESET_TOKEN_INVALID:
    "Este enlace para restablecer la contraseña está incompleto o no es válido. Puede que se cortara al copiarlo. Empieza de nuevo y abre el enlace del correo más reciente.",
  RESET_TOKEN_EXPIRED: "Este enlace ha caducado: los enlaces sirven durante 30 minutos. Empieza de nuevo para recibir otro.",
  RESET_TOKEN_USED: "Este enlace ya se ha usado, o se ha enviado uno más reciente. Inicia sesión con tu contraseña nueva, o empieza de nuevo.",
  RESET_CODE_INVALID: "Ese código no es correcto. Revisa el SMS más reciente que te enviamos e inténtalo de nuevo.",
  RESET_CODE_EXPIRED:
    "Ese código ha caducado o ya no quedan intentos. Los códigos sirven durante 10 minutos y 5 intentos. Empieza de nuevo para recibir otro código.",
  IDENTIFIER_ALREADY_YOURS: "Esta dirección o número ya está en tu cuenta.",
  IDENTIFIER_LAST_ONE: "No puedes quitar el único correo electrónico o número de móvil de tu cuenta.",
  IDENTIFIER_NOT_FOUND: "Ese correo electrónico o número de móvil no está en tu cuenta.",
  SESSION_NOT_FOUND: "Esa sesión no existe o ya ha terminado.",
  ADMIN_LAST_ADMIN:
    "Es el único administrador activo. Haz administradora a otra cuenta primero, para que siempre haya alguien que pueda gestionar las cuentas.",
  FEEDBACK_REASON_INVALID: "Elige uno de los motivos de la lista. Solo se puede dar un motivo con la respuesta «No».",
  FEEDBACK_COMMENT_TOO_LONG: "Tu comentario puede tener como máximo 1000 caracteres. Acórtalo, por favor.",
  SEND_LIMITED: "Ya te hemos enviado varios mensajes. Espera un poco antes de pedir otro.",
  DELIVERY_FAILED: "No hemos podido enviar el mensaje ahora mismo. Inténtalo de nuevo dentro de unos minutos.",
  SERVICE_UNAVAILABLE: "Una parte de nuestro servicio no está disponible por un momento, así que no hemos podido terminar. Inténtalo de nuevo en un minuto.",
  CSRF_INVALID: "Este formulario ha caducado. Hemos cargado uno nuevo: inténtalo otra vez.",
  ORIGIN_REJECTED: "Esta solicitud venía de otro sitio y se ha rechazado.",
  RATE_LIMITED: "Demasiadas solicitudes. Espera un momento e inténtalo de nuevo.",
  NOT_FOUND: "Aquí no hay nada.",
  METHOD_NOT_ALLOWED: "Esta dirección no acepta ese tipo de solicitud.",
  REQUEST_TIMEOUT: "La solicitud tardó demasiado en llegar y se cortó. Revisa tu conexión e inténtalo de nuevo.",
  PAYLOAD_TOO_LARGE: "Lo que se ha enviado es demasiado grande.",
  HEADERS_TOO_LARGE:
    "La dirección o las cabeceras de la solicitud son demasiado grandes. Si vuelve a ocurrir, borra las cookies de este sitio e inténtalo de nuevo.",
  UNSUPPORTED_MEDIA_TYPE: "Envía JSON (Content-Type: application/json) o un formulario.",
  INTERNAL: "Algo ha fallado por nuestra parte. Inténtalo de nuevo.",
  pageNotFoundTitle: "Página no encontrada",
  pageFormExpiredTitle: "Este formulario ha caducado",
  pageWaitTitle: "Espera un momento",
  pageUnavailableTitle: "Volvemos enseguida",
  pageErrorTitle: "Algo ha fallado",
  pageReference: "Referencia: {id}",
  pageStartPage: "Ir a la página de inicio",
  pageGoBack: "Volver e intentarlo de nuevo",
} satisfies NonNullable<Translation["errors"]>;
