import type { Translation } from "../../catalogue.ts";

export default {
  heading: "تغيير كلمة المرور",
  currentLabel: "كلمة المرور الحالية",
  newLabel: "كلمة المرور الجديدة",
  newHint: "8 أحرف على الأقل. بضع كلمات لا رابط بينها تصنع كلمة مرور قوية.",
  confirmLabel: "اكتب كلمة المرور الجديدة مرة أخرى",
  signOutOthers: "تسجيل الخروج من الأجهزة الأخرى ومن التطبيقات",
  submit: "تغيير كلمة المرور",
  cancel: "إلغاء",
  forgotten: "نسيت كلمة المرور الحالية؟ {link}.",
  resetInstead: "أعد تعيينها بدلًا من ذلك",
} satisfies NonNullable<Translation["password"]>;
