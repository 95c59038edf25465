import { describe, expect, it } from "vitest";
import { credentialsProblem } from "./client";

describe("credentialsProblem", () => {
  it("drops the API's field-name prefix and marks that field", () => {
    expect(credentialsProblem("invalid_input", "email: Enter a valid email address.")).toEqual({ field: "email", message: "Enter a valid email address." });
    expect(credentialsProblem("invalid_input", "password: Too small: expected string to have >=1 characters")).toMatchObject({ field: "password" });
  });

  it("places the server's other refusals", () => {
    expect(credentialsProblem("weak_password", "Use at least 8 characters.")).toEqual({ field: "password", message: "Use at least 8 characters." });
    expect(credentialsProblem("invalid_input", "Enter a valid email address.")).toEqual({ field: "email", message: "Enter a valid email address." });
    expect(credentialsProblem("sign_up_failed", "Could not create the account.")).toEqual({ field: null, message: "Could not create the account." });
  });
});
