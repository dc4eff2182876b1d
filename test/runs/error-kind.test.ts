import { describe, expect, it } from "vitest";
import { BudgetExceeded } from "../../src/agent/budget.js";
import { UserFacingError } from "../../src/core/errors.js";
import { errorKind } from "../../src/runs/execute-run.js";

describe("the kind of error that failed a run, for ai_agent_errors_total", () => {
  it("names a stopped budget, a refusal for the person, an API's HTTP error and the rest", () => {
    expect(errorKind(new BudgetExceeded("Stopped before going over the run's budget", "the run's budget"))).toBe("budget_exceeded");
    expect(errorKind(new UserFacingError("The plan workflow is not available on this server yet."))).toBe("user_facing");
    // As Octokit's RequestError and the Anthropic SDK's APIError carry it.
    const github = Object.assign(new Error("Server Error"), { name: "HttpError", status: 502 });
    expect(errorKind(github)).toBe("api");
    expect(errorKind(new TypeError("Cannot read properties of undefined"))).toBe("internal");
    expect(errorKind("a string thrown")).toBe("internal");
  });
});
