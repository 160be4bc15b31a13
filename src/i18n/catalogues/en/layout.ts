// The page frame: navigation, footer, skip link, language menu.
export default {
  skipToContent: "Skip to content",
  navMain: "Main",
  navHelp: "Help",
  navAccount: "Account",
  navAdmin: "Admin",
  navSignIn: "Sign in",
  navCreateAccount: "Create an account",
  signOut: "Sign out",
  footerProblemsSigningIn: "Problems signing in?",
  footerPrivacy: "Privacy",
  footerTerms: "Terms of use",
  supportContact: "Need a person? Contact {siteName} support: {contact}",
  testModeLabel: "Test mode",
  testModeBanner: "Test mode: every security check reads TESTME (audio 1234567). Never use this setting with real accounts.",
  languageMenuLabel: "Language",
  languageMenuButton: "Change language",
};
