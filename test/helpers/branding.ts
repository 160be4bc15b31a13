// A branded configuration for tests: a fictional bookshop's name, colours, links, logo, favicon and stylesheet.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const BRAND_LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32"><title>Harbour Books</title><rect width="32" height="32" rx="7" fill="#8a1c4b"/><path d="M7 9.5c3-1.6 6-1.6 9 0v14c-3-1.6-6-1.6-9 0z" fill="#ffffff"/><path d="M16 9.5c3-1.6 6-1.6 9 0v14c-3-1.6-6-1.6-9 0z" fill="#f3d9e4"/></svg>';
export const BRAND_PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e2cd7e0000000049454e44ae426082",
  "hex",
);

/** A branding folder with a logo, a favicon and an extra stylesheet. */
export function writeBrandingDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "logo.svg"), BRAND_LOGO_SVG);
  writeFileSync(join(dir, "favicon.png"), BRAND_PNG);
  writeFileSync(join(dir, "style.css"), ".brand { letter-spacing: 0.02em; }\n");
}

export const BRANDED_ENV = {
  LATCHKEY_SITE_NAME: "Harbour Books",
  LATCHKEY_PRIMARY_COLOR: "#8a1c4b",
  LATCHKEY_ACCENT_COLOR: "#b35900",
  LATCHKEY_SUPPORT_CONTACT: "help@harbour-books.example",
  LATCHKEY_PRIVACY_URL: "https://harbour-books.example/privacy",
  LATCHKEY_TERMS_URL: "https://harbour-books.example/terms",
};

/** The owner's confirmation e-mail (Markdown) and text message, in the templates folder of `dir`. */
export function writeBrandTemplates(dir: string): void {
  mkdirSync(join(dir, "templates", "email"), { recursive: true });
  mkdirSync(join(dir, "templates", "sms"), { recursive: true });
  writeFileSync(
    join(dir, "templates", "email", "verification-code.en.md"),
    "Subject: Your {siteName} code: {code}\n\n# Welcome to {siteName}\n\nYour code is **{code}**. It works for {minutes} minutes.\n\n[Confirm your address]({link})\n",
  );
  writeFileSync(join(dir, "templates", "sms", "verification-code.en.txt"), "{siteName}: your code is {code} ({minutes} min). Never share it.\n");
}
