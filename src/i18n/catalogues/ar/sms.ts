import type { Translation } from "../../catalogue.ts";

const MINUTES = "{minutes, plural, zero {# دقيقة} one {دقيقة واحدة} two {دقيقتين} few {# دقائق} many {# دقيقة} other {# دقيقة}}";

export default {
  code: `{code} هو رمز التأكيد الخاص بك على {siteName}. صالح لمدة ${MINUTES}. لا تشاركه مع أي أحد.`,
  registrationAttempt: "حاول أحدهم إنشاء حساب على {siteName} بهذا الرقم، وله حساب بالفعل. إن كنت أنت فسجّل الدخول: {signinLink}. وإلا فتجاهل هذه الرسالة.",
  identifierAdded: "أُضيف {identifier} إلى حسابك على {siteName}. إن لم تكن أنت فسجّل الدخول وغيّر كلمة المرور.",
  resetCode: `{code} هو رمز إعادة تعيين كلمة المرور على {siteName}. صالح لمدة ${MINUTES}. إن لم تطلبه فتجاهل هذه الرسالة ولا تشارك الرمز أبدًا.`,
  passwordChanged: "تغيّرت كلمة مرورك على {siteName} للتو. إن لم تكن أنت فأعد تعيينها الآن: {resetLink}",
  securityNotice: "{siteName}: {headline}. لست أنت؟ راجع الأمر الآن: {reviewLink}",
  accountClosed: "{headline}.",
  adminNotice: "{siteName}: {text}",
} satisfies NonNullable<Translation["sms"]>;
