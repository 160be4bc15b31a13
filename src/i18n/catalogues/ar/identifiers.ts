import type { Translation } from "../../catalogue.ts";

export default {
  IDENTIFIER_REQUIRED: "أدخل بريدك الإلكتروني أو رقم جوالك.",
  IDENTIFIER_TOO_LONG: "هذا أطول من أن يكون بريدًا إلكترونيًا أو رقم جوال. تأكّد من أنك أدخلت واحدًا فقط دون أي شيء آخر.",
  IDENTIFIER_INVALID_CHARACTERS: "يحتوي هذا على فاصل أسطر أو مسافة جدولة أو حرف مخفي آخر. اكتب بريدك الإلكتروني أو رقم جوالك من جديد بدلًا من لصقه.",
  IDENTIFIER_EMAIL_MISSING_AT: "أدخل بريدًا إلكترونيًا بالشكل name@example.com، أو رقم جوال يبدأ برمز الدولة.",
  IDENTIFIER_EMAIL_MULTIPLE_AT: "يحتوي البريد الإلكتروني على علامة @ واحدة فقط. أدخل عنوانًا واحدًا، مثل name@example.com.",
  IDENTIFIER_EMAIL_MISSING_LOCAL: "أضف الجزء الذي يسبق @: اسمك أو اسم المستخدم لدى مزوّد البريد، مثل name@example.com.",
  IDENTIFIER_EMAIL_MISSING_DOMAIN: "أضف الجزء الذي يلي @: نطاق مزوّد بريدك الإلكتروني، مثل name@example.com.",
  IDENTIFIER_EMAIL_HAS_SPACE: "لا يمكن أن يحتوي البريد الإلكتروني على مسافات. احذفها، مثل name@example.com.",
  IDENTIFIER_EMAIL_DOMAIN_NO_DOT: "يحتاج الجزء الذي يلي @ إلى نقطة ونهاية مثل ‎.com أو ‎.org، مثل name@example.com.",
  IDENTIFIER_EMAIL_INVALID: "هذا ليس بريدًا إلكترونيًا صالحًا. تحقّق من الأخطاء الإملائية أو النقاط الزائدة أو الرموز غير المعتادة، مثل name@example.com.",
  IDENTIFIER_PHONE_MISSING_COUNTRY_CODE: "أضف رمز دولتك في بداية رقم الجوال، مثل \u2068{example}\u2069 أو \u20680044 7400 123456\u2069.",
  IDENTIFIER_PHONE_INVALID: "هذا ليس رقم هاتف صالحًا. تحقّق من الأرقام ومن رمز الدولة، مثل \u2068{example}\u2069.",
  IDENTIFIER_PHONE_NOT_MOBILE: "لا يستطيع هذا الرقم استقبال الرسائل النصية. أدخل رقم جوال، أو استخدم بريدك الإلكتروني بدلًا منه.",
  IDENTIFIER_PHONE_AMBIGUOUS: "يمكن قراءة هذا الرقم بأكثر من طريقة. اختر رقمك أدناه، أو اكتبه من جديد مبتدئًا بعلامة + ورمز الدولة.",
  choicesAmbiguous: "هل تقصد:",
  choicesCountry: "أو اختر دولتك:",
  suggestion: "هل تقصد \u2068{suggestion}\u2069؟",
} satisfies NonNullable<Translation["identifiers"]>;
