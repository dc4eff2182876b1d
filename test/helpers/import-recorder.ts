// Node's --import entry that records every module the process imports: the URL each import
// resolves to, one a line, in the file IMPORT_LOG names. Resolution hooks run on Node's loader
// thread, which sees the same environment.
import { register } from "node:module";

register("./import-recorder-hooks.ts", import.meta.url);
