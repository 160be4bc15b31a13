// What people read when the "E-mail or mobile number" field is refused. Each message says what is wrong and
// how to fix it, and none says whether an account exists. {example} is an example mobile number.
export default {
  IDENTIFIER_REQUIRED: "Enter your e-mail address or mobile number.",
  IDENTIFIER_TOO_LONG: "That is too long for an e-mail address or mobile number. Check that you entered only one, without anything else.",
  IDENTIFIER_INVALID_CHARACTERS:
    "That contains a line break, tab or other hidden character. Type your e-mail address or mobile number again instead of pasting it.",
  IDENTIFIER_EMAIL_MISSING_AT: "Enter an e-mail address in the form name@example.com, or a mobile number starting with its country code.",
  IDENTIFIER_EMAIL_MULTIPLE_AT: "An e-mail address has only one @. Enter a single address, like name@example.com.",
  IDENTIFIER_EMAIL_MISSING_LOCAL: "Add the part before the @: your name or username at your provider, like name@example.com.",
  IDENTIFIER_EMAIL_MISSING_DOMAIN: "Add the part after the @: your e-mail provider's domain, like name@example.com.",
  IDENTIFIER_EMAIL_HAS_SPACE: "An e-mail address cannot contain spaces. Remove them, like name@example.com.",
  IDENTIFIER_EMAIL_DOMAIN_NO_DOT: "The part after the @ needs a dot and an ending such as .com or .org, like name@example.com.",
  IDENTIFIER_EMAIL_INVALID: "That is not a valid e-mail address. Check it for typos, extra dots or unusual characters, like name@example.com.",
  IDENTIFIER_PHONE_MISSING_COUNTRY_CODE: "Add your country code to the start of your mobile number, for example {example} or 0044 7400 123456.",
  IDENTIFIER_PHONE_INVALID: "That is not a valid phone number. Check the digits and the country code, for example {example}.",
  IDENTIFIER_PHONE_NOT_MOBILE: "That number cannot receive text messages. Enter a mobile number, or use your e-mail address instead.",
  IDENTIFIER_PHONE_AMBIGUOUS: "That number can be read in more than one way. Choose yours below, or type it again starting with + and the country code.",
  choicesAmbiguous: "Did you mean:",
  choicesCountry: "Or choose your country:",
  suggestion: "Did you mean {suggestion}?",
};
