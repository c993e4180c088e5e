/** One line to standard output: what a command reports (errors go to standard error). */
export const print = (line: string) => process.stdout.write(`${line}\n`);
