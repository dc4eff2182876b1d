/**
 * Splits a command as written in `agent.commands` (`npm run test -- --ci`) into arguments, with
 * single and double quotes and backslash escapes, the way a shell would read a simple command.
 * Shell syntax beyond that (pipes, `&&`, redirections, substitutions, globs left to a shell) is
 * refused: commands run without a shell, so such a command would not do what it says.
 */
export function splitCommand(command: string): string[] {
  const args: string[] = [];
  let current = "";
  let started = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < command.length; i++) {
    const char = command[i]!;
    if (quote === "'") {
      if (char === "'") quote = null;
      else current += char;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else if (char === "\\" && i + 1 < command.length && '"\\$`'.includes(command[i + 1]!)) current += command[++i];
      else if (char === "$" || char === "`") throw new Error(shellSyntax(command, char));
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      started = true;
    } else if (char === "\\" && i + 1 < command.length) {
      current += command[++i];
      started = true;
    } else if (/\s/.test(char)) {
      if (started) args.push(current);
      current = "";
      started = false;
    } else if ("|&;<>()$`".includes(char)) {
      throw new Error(shellSyntax(command, char));
    } else {
      current += char;
      started = true;
    }
  }
  if (quote) throw new Error(`the command "${command}" has an unclosed ${quote === "'" ? "single" : "double"} quote`);
  if (started) args.push(current);
  return args;
}

function shellSyntax(command: string, char: string): string {
  return `the command "${command}" uses shell syntax (${char}); commands run without a shell, so write one program and its arguments, or put the rest in a script`;
}
