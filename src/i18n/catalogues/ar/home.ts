import type { Translation } from "../../catalogue.ts";

export default {
  welcomeBackNamed: "مرحبًا بعودتك يا \u2068{name}\u2069",
  welcomeBack: "مرحبًا بعودتك",
  signedIn: "أنت مسجّل الدخول.",
  goToAccount: "الانتقال إلى حسابك",
  help: "المساعدة",
  heading: "سجّل الدخول إلى حسابك",
  lead: "حساب واحد، ببريدك الإلكتروني أو رقم جوالك وكلمة مرور.",
  signIn: "تسجيل الدخول",
  createAccount: "إنشاء حساب",
  forgot: "هل نسيت كلمة المرور؟",
  problems: "هل تواجه مشكلة في تسجيل الدخول؟",
  allArticles: "كل مقالات المساعدة",
} satisfies NonNullable<Translation["home"]>;
