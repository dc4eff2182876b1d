import { describe } from "vitest";
import { freshMongo, mongoUrl } from "../helpers/databases.js";
import { storeContract } from "./contract.js";

// No MongoDB server can run on every developer machine; the project's GitHub Actions workflow
// provides one and sets MONGODB_URL, so this suite runs there on every push.
if (!mongoUrl) {
  console.warn("store on MongoDB: skipped because MONGODB_URL is not set (CI's workflow sets it)");
}
describe.skipIf(!mongoUrl)("store on MongoDB", () => storeContract(freshMongo));
