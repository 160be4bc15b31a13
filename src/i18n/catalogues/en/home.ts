// The start page at /.
export default {
  welcomeBackNamed: "Welcome back, {name}",
  welcomeBack: "Welcome back",
  signedIn: "You are signed in.",
  goToAccount: "Go to your account",
  help: "Help",
  heading: "Sign in to your account",
  lead: "One account, with your e-mail address or your mobile number and a password.",
  signIn: "Sign in",
  createAccount: "Create an account",
  forgot: "Forgot your password?",
  problems: "Problems signing in?",
  allArticles: "All help articles",
};
