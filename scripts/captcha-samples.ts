// Writes sample CAPTCHA pictures and audio clips with their answers, for looking at, listening to and
// measuring how well OCR and speech recognition read them (scripts/captcha-measure.sh).
//
// Usage: npm run captcha:samples -- --out DIR --count N
// Writes DIR/<n>.png and DIR/<n>.wav for n = 1..N, and DIR/answers.json = {"<n>": {"text", "digits"}}.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateCAPTCHADigits, generateCAPTCHAText } from "../src/captcha/alphabet.ts";
import { createCAPTCHAAudio } from "../src/captcha/audio.ts";
import { renderCAPTCHAImage } from "../src/captcha/image.ts";
import { createCryptoRandom } from "../src/lib/random.ts";

const USAGE = "usage: npm run captcha:samples -- --out DIR --count N   (N a whole number from 1 to 100000)";

interface SampleOptions {
  out: string;
  count: number;
}

/** Reads `--out DIR --count N`; returns the problem as a string when the arguments are not usable. */
function readOptions(args: string[]): SampleOptions | string {
  let values: { out?: string | undefined; count?: string | undefined };
  try {
    ({ values } = parseArgs({ args, options: { out: { type: "string" }, count: { type: "string" } }, strict: true }));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (values.out === undefined || values.out === "") return "--out DIR is required";
  if (values.count === undefined) return "--count N is required";
  if (!/^[0-9]+$/.test(values.count)) return `--count must be a whole number, not "${values.count}"`;
  const count = Number(values.count);
  if (count < 1 || count > 100000) return `--count must be from 1 to 100000, not ${count}`;
  return { out: values.out, count };
}

function main(): void {
  const options = readOptions(process.argv.slice(2));
  if (typeof options === "string") {
    console.error(`captcha:samples: ${options}\n${USAGE}`);
    process.exit(2);
  }
  mkdirSync(options.out, { recursive: true });
  const random = createCryptoRandom();
  const answers: Record<string, { text: string; digits: string }> = {};
  for (let n = 1; n <= options.count; n++) {
    const text = generateCAPTCHAText(random);
    const digits = generateCAPTCHADigits(random);
    writeFileSync(join(options.out, `${n}.png`), renderCAPTCHAImage(text, random));
    writeFileSync(join(options.out, `${n}.wav`), createCAPTCHAAudio(digits, random));
    answers[String(n)] = { text, digits };
  }
  writeFileSync(join(options.out, "answers.json"), `${JSON.stringify(answers, null, 2)}\n`);
  console.log(`wrote ${options.count} pictures and clips to ${options.out}`);
}

main();
