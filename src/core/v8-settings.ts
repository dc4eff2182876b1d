/**
 * How V8 runs the server: set before the rest of the app is loaded (main.ts imports this module
 * first, and modules run in import order), so that every later module is compiled under them.
 *
 * `--optimize-for-size` has V8 grow its heap in smaller steps and give pages back sooner. The app
 * is a server whose work is waiting — on GitHub, the model, git and the sandbox — not computing, so
 * the speed V8 trades for it is not felt; the memory is: measured with `npm run bench:memory`, the
 * app on the embedded database went from 201 MB idle and 283 MB after 60 label → PR runs to 169 and
 * 197 MB. (A smaller young generation alone, `--max-semi-space-size`, made the heap grow more, not less.)
 */
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--optimize-for-size");
