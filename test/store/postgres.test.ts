import { describe } from "vitest";
import { freshPostgres } from "../helpers/databases.js";
import { storeContract } from "./contract.js";

describe("store on PostgreSQL", () => storeContract(freshPostgres));
