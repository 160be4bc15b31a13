import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import formbody from "@fastify/formbody";
import Fastify from "fastify";
import { captchaFromForm } from "./captcha-form.ts";

describe("captchaFromForm", async () => {
  const app = Fastify();
  await app.register(formbody);
  app.post("/", async (request) => ({ captcha: captchaFromForm(request) ?? null }));
  after(() => app.close());

  async function post(form: string): Promise<unknown> {
    const response = await app.inject({ method: "POST", url: "/", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: form });
    assert.equal(response.statusCode, 200);
    return response.json().captcha;
  }

  test("reads the challenge id and the answer", async () => {
    assert.deepEqual(await post("captchaId=abc&captchaAnswer=TESTME"), { id: "abc", answer: "TESTME" });
  });

  test("a form without a challenge id has no answer, even with an answer field", async () => {
    assert.equal(await post("captchaAnswer=TESTME"), null);
    assert.equal(await post("captchaId=&captchaAnswer=TESTME"), null);
  });

  test("an id without an answer gives an empty answer", async () => {
    assert.deepEqual(await post("captchaId=abc"), { id: "abc", answer: "" });
  });

  test("takes the first of repeated fields and cuts both at 64 characters", async () => {
    assert.deepEqual(await post(`captchaId=${"i".repeat(100)}&captchaId=second&captchaAnswer=${"a".repeat(100)}`), {
      id: "i".repeat(64),
      answer: "a".repeat(64),
    });
  });
});
