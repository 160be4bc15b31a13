import type { Translation } from "../../catalogue.ts";

export default {
  skipToContent: "الانتقال إلى المحتوى",
  navMain: "القائمة الرئيسية",
  navHelp: "المساعدة",
  navAccount: "الحساب",
  navAdmin: "الإدارة",
  navSignIn: "تسجيل الدخول",
  navCreateAccount: "إنشاء حساب",
  signOut: "تسجيل الخروج",
  footerProblemsSigningIn: "هل تواجه مشكلة في تسجيل الدخول؟",
  footerPrivacy: "الخصوصية",
  footerTerms: "شروط الاستخدام",
  supportContact: "هل تحتاج إلى التحدث مع شخص؟ تواصل مع فريق دعم {siteName}: {contact}",
  testModeLabel: "وضع الاختبار",
  testModeBanner: "وضع الاختبار: كل تحقق أمني يُقرأ TESTME (والصوت 1234567). لا تستخدم هذا الإعداد أبدًا مع حسابات حقيقية.",
  languageMenuLabel: "اللغة",
  languageMenuButton: "تغيير اللغة",
  errorSummaryTitle: "هناك مشكلة",
  errorPrefix: "خطأ:",
  passwordShow: "إظهار",
  capsLock: "مفتاح الأحرف الكبيرة مفعّل. كلمات المرور تميّز بين الأحرف الكبيرة والصغيرة.",
} satisfies NonNullable<Translation["layout"]>;
