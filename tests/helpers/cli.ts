/**
 * Test helper: run the real `tagifai` CLI (TypeScript source through tsx) as a child process.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { resolve } from "node:path";

const CLI = resolve("src/cli.ts");

/** What a finished CLI call printed, and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `tagifai ...args` to completion.
 * @param args the command line after `tagifai`
 * @param env extra environment (e.g. TAGIFAI_HOME)
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CLI, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Start `tagifai ...args` without waiting for it (to signal it mid-run).
 * @returns the child process; its stderr is collected into `output.stderr`
 */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; output: { stderr: string } } {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stderr: "" };
  child.stderr?.on("data", (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  return { child, output };
}
