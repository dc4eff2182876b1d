import { describe } from "vitest";
import { freshPglite } from "../helpers/databases.js";
import { storeContract } from "./contract.js";

describe("store on embedded PGlite", () => storeContract(freshPglite));
