// Proof of work in front of sign-in, registration, reset requests and new security checks (turned on
// here; the default test environment has it off): missing, wrong, replayed, expired, for another purpose
// or another browser, and the difficulty raised for a busy address.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { generateId } from "../../src/lib/crypto.ts";
import { parseIdentifier } from "../../src/lib/identifier-parsing.ts";
import { POW_RAISE_AFTER_ATTEMPTS, POW_RAISE_AFTER_FAILURES, POW_RAISE_BITS } from "../../src/pow/difficulty.ts";
import { createPowPuzzle, leadingZeroBits, POW_TTL_SECONDS, solvePowPuzzle, verifyPowProof } from "../../src/pow/puzzles.ts";
import { STRONG_PASSWORD } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { hiddenInputsIn, TestClient } from "../helpers/client.ts";
import { latestCode } from "../helpers/outbox.ts";

const DIFFICULTY = 8;

interface Puzzle {
  id: string;
  prefix: string;
  difficulty: number;
  expiresAt: string;
}

async function askPuzzle(client: TestClient, purpose: string): Promise<Puzzle> {
  const response = await client.request("POST", "/api/v1/pow", { json: { purpose } });
  assert.equal(response.statusCode, 201, response.body);
  return response.json() as Puzzle;
}

async function solved(client: TestClient, purpose: string): Promise<{ id: string; nonce: string }> {
  const puzzle = await askPuzzle(client, purpose);
  return { id: puzzle.id, nonce: solvePowPuzzle(puzzle.prefix, puzzle.difficulty) };
}

/** A nonce that does not reach the puzzle's difficulty. */
function wrongNonce(puzzle: Puzzle): string {
  for (let n = 0; ; n++) if (leadingZeroBits(puzzle.prefix, `x${n}`) < puzzle.difficulty) return `x${n}`;
}

async function seedAccount(t: TestApp, identifier: string): Promise<void> {
  const parsed = parseIdentifier(identifier);
  assert.ok(parsed.ok);
  await t.deps.stores.accounts.createVerifiedAccount({
    id: generateId(t.deps.random),
    name: null,
    passwordHash: await t.deps.hasher.hashPassword(STRONG_PASSWORD),
    createdAt: t.clock.now(),
    identifier: { id: generateId(t.deps.random), ...parsed.identifier },
  });
}

const code = (response: { json(): unknown }) => (response.json() as { error?: { code: string } }).error?.code;

describe("proof of work (LATCHKEY_POW=1)", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LATCHKEY_POW: "1", LATCHKEY_POW_DIFFICULTY: String(DIFFICULTY) });
    await seedAccount(t, "pow@example.com");
  });
  after(() => t.close());

  it("hands out a puzzle: random prefix, the configured difficulty, an expiry", async () => {
    const client = new TestClient(t.app);
    const a = await askPuzzle(client, "signin");
    const b = await askPuzzle(client, "signin");
    assert.match(a.id, /^[A-Za-z0-9_-]{20}$/);
    assert.match(a.prefix, /^[0-9a-f]{32}$/);
    assert.notEqual(a.prefix, b.prefix);
    assert.equal(a.difficulty, DIFFICULTY);
    assert.equal(new Date(a.expiresAt).getTime(), t.clock.now().getTime() + POW_TTL_SECONDS * 1000);
  });

  it("refuses an unknown purpose", async () => {
    const response = await new TestClient(t.app).request("POST", "/api/v1/pow", { json: { purpose: "anything" } });
    assert.equal(response.statusCode, 400);
  });

  it("signs in with a solved puzzle; without one POW_REQUIRED, and the password is not even checked", async () => {
    const client = new TestClient(t.app);
    const missing = await client.request("POST", "/api/v1/session", { json: { identifier: "pow@example.com", password: STRONG_PASSWORD } });
    assert.equal(missing.statusCode, 400);
    assert.equal(code(missing), "POW_REQUIRED");
    const ok = await client.request("POST", "/api/v1/session", {
      json: { identifier: "pow@example.com", password: STRONG_PASSWORD, pow: await solved(client, "signin") },
    });
    assert.equal(ok.statusCode, 200, ok.body);
  });

  it("refuses a nonce that does not reach the difficulty, and the puzzle is spent by the try", async () => {
    const client = new TestClient(t.app);
    const puzzle = await askPuzzle(client, "signin");
    const wrong = await client.request("POST", "/api/v1/session", {
      json: { identifier: "pow@example.com", password: STRONG_PASSWORD, pow: { id: puzzle.id, nonce: wrongNonce(puzzle) } },
    });
    assert.equal(wrong.statusCode, 400);
    assert.equal(code(wrong), "POW_INVALID");
    const late = await client.request("POST", "/api/v1/session", {
      json: { identifier: "pow@example.com", password: STRONG_PASSWORD, pow: { id: puzzle.id, nonce: solvePowPuzzle(puzzle.prefix, puzzle.difficulty) } },
    });
    assert.equal(code(late), "POW_INVALID");
  });

  it("accepts a solved puzzle once: a replay is POW_INVALID", async () => {
    const client = new TestClient(t.app);
    const pow = await solved(client, "signin");
    const first = await client.request("POST", "/api/v1/session", { json: { identifier: "pow@example.com", password: "wrong password", pow } });
    assert.equal(code(first), "SIGNIN_FAILED");
    const replay = await client.request("POST", "/api/v1/session", { json: { identifier: "pow@example.com", password: STRONG_PASSWORD, pow } });
    assert.equal(replay.statusCode, 400);
    assert.equal(code(replay), "POW_INVALID");
  });

  it("refuses an expired puzzle", async () => {
    const client = new TestClient(t.app);
    const pow = await solved(client, "signin");
    t.clock.advance(POW_TTL_SECONDS * 1000 + 1000);
    const late = await client.request("POST", "/api/v1/session", { json: { identifier: "pow@example.com", password: STRONG_PASSWORD, pow } });
    assert.equal(code(late), "POW_INVALID");
  });

  it("refuses a puzzle solved by another browser", async () => {
    const other = new TestClient(t.app);
    const pow = await solved(other, "signin");
    const response = await new TestClient(t.app).request("POST", "/api/v1/session", {
      json: { identifier: "pow@example.com", password: STRONG_PASSWORD, pow },
    });
    assert.equal(code(response), "POW_INVALID");
  });

  it("refuses a puzzle made for another purpose", async () => {
    const client = new TestClient(t.app);
    const pow = await solved(client, "password_reset");
    const response = await client.request("POST", "/api/v1/session", { json: { identifier: "pow@example.com", password: STRONG_PASSWORD, pow } });
    assert.equal(code(response), "POW_INVALID");
  });

  it("refuses malformed proofs by schema or as invalid, never with a 500", async () => {
    const client = new TestClient(t.app);
    const bodies = [
      { id: "x".repeat(65), nonce: "1" },
      { id: "short", nonce: "1" },
      { id: "a".repeat(20), nonce: "é" },
      { id: "a".repeat(20), nonce: "" },
      { id: "a".repeat(20) },
    ];
    for (const pow of bodies) {
      const response = await client.request("POST", "/api/v1/session", { json: { identifier: "pow@example.com", password: STRONG_PASSWORD, pow } });
      assert.equal(response.statusCode, 400, JSON.stringify(pow));
    }
  });

  it("guards registration, reset requests and new security checks the same way", async () => {
    const client = new TestClient(t.app);
    const captchaMissing = await client.request("POST", "/api/v1/captcha", { json: { purpose: "registration" } });
    assert.equal(code(captchaMissing), "POW_REQUIRED");
    const challenge = await client.request("POST", "/api/v1/captcha", { json: { purpose: "registration", pow: await solved(client, "captcha") } });
    assert.equal(challenge.statusCode, 201, challenge.body);
    const captcha = { id: challenge.json().id as string, answer: "testme" };

    const body = { identifier: "new-pow@example.com", password: STRONG_PASSWORD, captcha };
    const registerMissing = await client.request("POST", "/api/v1/accounts", { json: body });
    assert.equal(code(registerMissing), "POW_REQUIRED");
    const registered = await client.request("POST", "/api/v1/accounts", { json: { ...body, pow: await solved(client, "registration") } });
    assert.equal(registered.statusCode, 202, registered.body);
    assert.ok(await latestCode(t.config.outboxDir, "new-pow@example.com"));

    const resetMissing = await client.request("POST", "/api/v1/password-resets", { json: { identifier: "pow@example.com" } });
    assert.equal(code(resetMissing), "POW_REQUIRED");
    const resetWrongPurpose = await client.request("POST", "/api/v1/password-resets", {
      json: { identifier: "pow@example.com", pow: await solved(client, "signin") },
    });
    assert.equal(code(resetWrongPurpose), "POW_INVALID");
    const reset = await client.request("POST", "/api/v1/password-resets", {
      json: { identifier: "pow@example.com", pow: await solved(client, "password_reset") },
    });
    assert.notEqual(code(reset), "POW_REQUIRED");
    assert.notEqual(code(reset), "POW_INVALID");
    assert.ok(reset.statusCode < 300 || code(reset) === "CAPTCHA_REQUIRED", reset.body);
  });

  it("the sign-in page carries the proof fields and script; a proof from the form signs in without the security check", async () => {
    const client = new TestClient(t.app);
    const page = await client.get("/signin");
    assert.match(page.body, /<input type="hidden" name="powId" value="" data-pow-purpose="signin">/);
    assert.match(page.body, /<script src="\/assets\/pow.js" defer><\/script>/);
    const pow = await solved(client, "signin");
    const response = await client.request("POST", "/signin", {
      form: { ...hiddenInputsIn(page.body, "/signin"), identifier: "pow@example.com", password: STRONG_PASSWORD, powId: pow.id, powNonce: pow.nonce },
    });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, "/account");
  });

  it("a page sent without a proof (no JavaScript) gets the security check instead, and signs in with it", async () => {
    const client = new TestClient(t.app);
    const page = await client.get("/signin");
    const first = await client.request("POST", "/signin", {
      form: { ...hiddenInputsIn(page.body, "/signin"), identifier: "pow@example.com", password: STRONG_PASSWORD },
    });
    assert.equal(first.statusCode, 303);
    assert.match(String(first.headers.location), /^\/signin\?flow=/);
    const withCheck = await client.get(String(first.headers.location));
    assert.match(withCheck.body, /src="\/captcha\/[A-Za-z0-9_-]{20}\.png"/);
    assert.match(withCheck.body, /Please complete the security check/);
    const second = await client.request("POST", "/signin", {
      form: { ...hiddenInputsIn(withCheck.body, "/signin"), identifier: "pow@example.com", password: STRONG_PASSWORD, captchaAnswer: "testme" },
    });
    assert.equal(second.statusCode, 303);
    assert.equal(second.headers.location, "/account");
  });

  it("a page with a replayed proof gets the security check too", async () => {
    const client = new TestClient(t.app);
    const page = await client.get("/signin");
    const pow = await solved(client, "signin");
    const form = { ...hiddenInputsIn(page.body, "/signin"), identifier: "pow@example.com", password: "a wrong password", powId: pow.id, powNonce: pow.nonce };
    const first = await client.request("POST", "/signin", { form });
    const firstPage = await client.get(String(first.headers.location));
    assert.doesNotMatch(firstPage.body, /src="\/captcha\//);
    const replay = await client.request("POST", "/signin", { form: { ...form, ...hiddenInputsIn(firstPage.body, "/signin"), password: STRONG_PASSWORD } });
    assert.match(String(replay.headers.location), /^\/signin\?flow=/);
    assert.match((await client.get(String(replay.headers.location))).body, /src="\/captcha\//);
  });

  it("asks more of an address after many sign-in attempts", async () => {
    const fresh = await createTestApp({ LATCHKEY_POW: "1", LATCHKEY_POW_DIFFICULTY: String(DIFFICULTY) });
    try {
      const client = new TestClient(fresh.app);
      assert.equal((await askPuzzle(client, "signin")).difficulty, DIFFICULTY);
      for (let i = 0; i < POW_RAISE_AFTER_ATTEMPTS; i++) {
        await client.request("POST", "/api/v1/session", {
          json: { identifier: `nobody${i}@example.com`, password: "guess", pow: await solved(client, "signin") },
        });
      }
      const raised = await askPuzzle(client, "signin");
      assert.equal(raised.difficulty, DIFFICULTY + POW_RAISE_BITS);
      const pow = { id: raised.id, nonce: solvePowPuzzle(raised.prefix, raised.difficulty) };
      const response = await client.request("POST", "/api/v1/session", { json: { identifier: "nobody@example.com", password: "guess", pow } });
      assert.equal(code(response), "SIGNIN_FAILED");
    } finally {
      await fresh.close();
    }
  });

  it("asks more for an identifier with recent failed sign-ins, and no more for anyone else", async () => {
    const fresh = await createTestApp({ LATCHKEY_POW: "1", LATCHKEY_POW_DIFFICULTY: String(DIFFICULTY) });
    try {
      const attacker = new TestClient(fresh.app);
      for (let i = 0; i < POW_RAISE_AFTER_FAILURES; i++) {
        const failed = await attacker.request("POST", "/api/v1/session", {
          json: { identifier: "victim@example.com", password: `guess ${i}`, pow: await solved(attacker, "signin") },
        });
        assert.equal(code(failed), "SIGNIN_FAILED");
      }
      // Any browser, from any address: the raise follows the identifier, written in any of its forms.
      const someone = new TestClient(fresh.app);
      const ask = async (identifier?: string): Promise<Puzzle> => {
        const response = await someone.request("POST", "/api/v1/pow", { json: { purpose: "signin", ...(identifier === undefined ? {} : { identifier }) } });
        assert.equal(response.statusCode, 201, response.body);
        return response.json() as Puzzle;
      };
      assert.equal((await ask("victim@example.com")).difficulty, DIFFICULTY + POW_RAISE_BITS);
      assert.equal((await ask("  Victim@EXAMPLE.com")).difficulty, DIFFICULTY + POW_RAISE_BITS);
      assert.equal((await ask("someone-else@example.com")).difficulty, DIFFICULTY);
      assert.equal((await ask()).difficulty, DIFFICULTY);
      assert.equal((await ask("not an identifier")).difficulty, DIFFICULTY);
      const tooLong = await someone.request("POST", "/api/v1/pow", { json: { purpose: "signin", identifier: "x".repeat(1025) } });
      assert.equal(tooLong.statusCode, 400);
    } finally {
      await fresh.close();
    }
  });

  it("a proof asked before the identifier was named is POW_TOO_EASY for one with recent failures, and enough for others", async () => {
    const fresh = await createTestApp({ LATCHKEY_POW: "1", LATCHKEY_POW_DIFFICULTY: String(DIFFICULTY) });
    try {
      const client = new TestClient(fresh.app);
      for (let i = 0; i < POW_RAISE_AFTER_FAILURES; i++) {
        await client.request("POST", "/api/v1/session", {
          json: { identifier: "victim@example.com", password: `guess ${i}`, pow: await solved(client, "signin") },
        });
      }
      const easy = await client.request("POST", "/api/v1/session", {
        json: { identifier: "victim@example.com", password: "guess", pow: await solved(client, "signin") },
      });
      assert.equal(easy.statusCode, 400);
      assert.equal(code(easy), "POW_TOO_EASY");
      // The reset request reads the same record. (Asked now, while this address has made fewer than
      // POW_RAISE_AFTER_ATTEMPTS sign-in attempts: after that its puzzles are raised anyway.)
      const reset = await client.request("POST", "/api/v1/password-resets", {
        json: { identifier: "victim@example.com", pow: await solved(client, "password_reset") },
      });
      assert.equal(code(reset), "POW_TOO_EASY");
      const other = await client.request("POST", "/api/v1/session", {
        json: { identifier: "other@example.com", password: "guess", pow: await solved(client, "signin") },
      });
      assert.equal(code(other), "SIGNIN_FAILED");
      // With a puzzle asked for the identifier, the proof is accepted (and the picture check comes next).
      const puzzle = (await client.request("POST", "/api/v1/pow", { json: { purpose: "signin", identifier: "victim@example.com" } })).json() as Puzzle;
      const pow = { id: puzzle.id, nonce: solvePowPuzzle(puzzle.prefix, puzzle.difficulty) };
      const hard = await client.request("POST", "/api/v1/session", { json: { identifier: "victim@example.com", password: "guess", pow } });
      assert.equal(code(hard), "CAPTCHA_REQUIRED");
    } finally {
      await fresh.close();
    }
  });

  it("a puzzle asked for one identifier cannot be spent on another", async () => {
    const client = new TestClient(t.app);
    const puzzle = (await client.request("POST", "/api/v1/pow", { json: { purpose: "signin", identifier: "someone-else@example.com" } })).json() as Puzzle;
    const pow = { id: puzzle.id, nonce: solvePowPuzzle(puzzle.prefix, puzzle.difficulty) };
    const response = await client.request("POST", "/api/v1/session", { json: { identifier: "pow@example.com", password: STRONG_PASSWORD, pow } });
    assert.equal(code(response), "POW_INVALID");
    const bound = (await client.request("POST", "/api/v1/pow", { json: { purpose: "signin", identifier: "POW@example.com" } })).json() as Puzzle;
    const ok = await client.request("POST", "/api/v1/session", {
      json: { identifier: "pow@example.com", password: STRONG_PASSWORD, pow: { id: bound.id, nonce: solvePowPuzzle(bound.prefix, bound.difficulty) } },
    });
    assert.equal(ok.statusCode, 200, ok.body);
  });

  it("a nonce good enough for the base difficulty does not solve a raised puzzle", async () => {
    const stores = { stores: t.deps.stores, clock: t.clock, random: t.deps.random, config: t.config };
    const puzzle = await createPowPuzzle(stores, { purpose: "signin", binding: "b:test", difficulty: 16 });
    let nonce = "";
    for (let n = 0; ; n++) {
      const bits = leadingZeroBits(puzzle.prefix, n.toString(36));
      if (bits >= 8 && bits < 16) {
        nonce = n.toString(36);
        break;
      }
    }
    assert.equal(await verifyPowProof(stores, { proof: { id: puzzle.id, nonce }, purpose: "signin", binding: "b:test" }), "invalid");
  });
});

describe("leadingZeroBits", () => {
  it("agrees with counting zero bits in the hex digest", () => {
    for (let n = 0; n < 3000; n++) {
      const hex = createHash("sha256").update(`p${n}`).digest("hex");
      const binary = [...hex].map((c) => Number.parseInt(c, 16).toString(2).padStart(4, "0")).join("");
      assert.equal(leadingZeroBits("p", String(n)), binary.indexOf("1"), hex);
    }
  });
});
