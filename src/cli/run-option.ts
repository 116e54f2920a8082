/**
 * The run reference option, spelled the same by every command that uses a run: `--run` (alias
 * `--run-id`) taking a run id, a unique id prefix of at least 6 characters, `models:/NAME@ALIAS`,
 * `NAME@ALIAS`, `models:/NAME/VERSION` or `best:EXPERIMENT`.
 */
import { type Command, Option } from "commander";
import { runReference } from "./arguments.js";

/** The run reference options as commander parses them. */
export interface RunFlags {
  run?: string;
  runId?: string;
}

/** The accepted forms, for help texts. */
const FORMS =
  "run id or unique prefix (≥ 6 chars), NAME@ALIAS, models:/NAME@ALIAS, models:/NAME/VERSION, best:EXPERIMENT";

/**
 * Add `--run <ref>` and its alias `--run-id <ref>` to a command.
 * @param command the command
 * @param what what the run is for, e.g. "the run to serve"
 * @param defaultText what happens without the option (omit when it is required)
 * @returns the command
 */
export function withRunOption(
  command: Command,
  what = "which run",
  defaultText = "the default model: tagifai@production, else the newest finished run outside studies",
): Command {
  return command
    .addOption(
      new Option("--run <ref>", `${what}: ${FORMS} (default: ${defaultText})`).argParser(runReference),
    )
    .addOption(new Option("--run-id <ref>", "alias of --run").argParser(runReference).hideHelp());
}

/**
 * The run the options name.
 * @param flags the parsed options
 * @returns the reference, or undefined for the default run
 */
export function runOf(flags: RunFlags): string | undefined {
  return flags.run ?? flags.runId;
}
