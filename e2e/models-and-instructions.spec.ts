// Choosing a model and giving instructions (docs/API.md, "Models and
// instructions"): the picker above the composer and the system prompt editor
// against the fake Anthropic API (which model and system prompt it received,
// the model named on the reply); the settings page's instructions with the demo
// model, which quotes its system prompt. Screenshots light, dark and narrow.
import { expect, test, type Page } from "@playwright/test";
import { useFakeAnthropicApp } from "./fake-anthropic-app";
import { complete, lastAssistant, send } from "./support";

const rich = useFakeAnthropicApp();

async function shoot(page: Page, name: string) {
  for (const [mode, size] of [
    ["light", { width: 1280, height: 860 }],
    ["dark", { width: 1280, height: 860 }],
    ["narrow", { width: 390, height: 800 }],
  ] as const) {
    await page.emulateMedia({ colorScheme: mode === "dark" ? "dark" : "light" });
    await page.setViewportSize(size);
    await page.screenshot({ path: `test-results/${name}-${mode}.png` });
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 860 });
}

test("a model and a system prompt chosen for a new chat are what the upstream gets; the reply names its model", async ({ page }) => {
  const { fake, app } = rich;
  await page.goto(`${app.url}/?new=1`);
  const picker = page.getByTestId("model-picker");
  await expect(picker).toBeEnabled();
  await expect(picker.locator("option")).toHaveText(["Default (Claude Sonnet 5.5)", "Claude Opus 5.5", "Claude Sonnet 5.5", "Claude Haiku 4.5", "Claude Sonnet 4.5"]);
  await picker.selectOption({ label: "Claude Opus 5.5" });

  await page.getByTestId("system-prompt-button").click();
  await page.getByTestId("system-prompt-input").fill("You are a terse reviewer.\nAnswer in one line.");
  await shoot(page, "system-prompt-editor");
  await page.getByTestId("system-prompt-save").click();
  await expect(page.getByTestId("system-prompt-editor")).toBeHidden();

  fake.enqueue({ text: "Looks fine." });
  await send(page, "Review this: let x = 1;");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const reply = lastAssistant(page);
  await complete(reply);
  expect(fake.requests[0].body).toMatchObject({ model: "claude-opus-5-5", system: "You are a terse reviewer.\nAnswer in one line." });

  // The conversation keeps them: after a reload, change the model; the next reply uses it.
  await page.reload();
  await expect(page.getByTestId("model-picker")).toHaveValue("claude-opus-5-5");
  await lastAssistant(page).hover();
  await expect(lastAssistant(page).getByTestId("reply-model")).toHaveText("Claude Opus 5.5");
  await expect(lastAssistant(page).getByTestId("reply-model")).toHaveAttribute("data-model-id", "claude-opus-5-5");
  await page.getByTestId("model-picker").selectOption({ label: "Claude Haiku 4.5" });
  await expect(page.getByTestId("model-picker")).toHaveValue("claude-haiku-4-5");
  fake.enqueue({ text: "Still fine." });
  await send(page, "And this: let y = 2;");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(lastAssistant(page).getByTestId("reply-model")).toHaveText("Claude Haiku 4.5");
  expect(fake.requests[1].body).toMatchObject({ model: "claude-haiku-4-5", system: "You are a terse reviewer.\nAnswer in one line." });
  await shoot(page, "model-picker");
});

test("instructions saved in settings reach the model (the demo quotes them), before the conversation's prompt", async ({ page }) => {
  // The config's server: the demo model.
  await page.goto("/settings");
  await expect(page.getByTestId("default-model").locator("option")).toHaveText(["Tether demo (the app's default)", "Tether demo"]);
  await page.getByTestId("instructions-input").fill("Answer like a patient teacher.");
  await page.getByTestId("instructions-save").click();
  await expect(page.getByTestId("model-settings-status")).toHaveText("Instructions saved.");
  await page.getByTestId("default-model").selectOption({ label: "Tether demo" });
  await expect(page.getByTestId("model-settings-status")).toHaveText("Default model saved.");
  await shoot(page, "settings-instructions");

  await page.goto("/?new=1");
  await send(page, "How do tides work?");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const reply = lastAssistant(page);
  await complete(reply);
  await expect(reply.locator("blockquote").first()).toHaveText("Following your instructions: “Answer like a patient teacher.”");

  await page.reload();
  const settings = await (await page.request.get("/api/settings")).json();
  expect(settings).toMatchObject({ instructions: "Answer like a patient teacher.", defaultModel: "tether-demo-1" });
});
