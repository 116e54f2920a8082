/**
 * The program-wide options (`--device`, `--tracking-uri`) as each command sees them, and the compute
 * device, which only the commands that load or train a model set up (listing runs never starts wasm).
 */
import type { Command } from "commander";
import { logger } from "../config/config.js";
import type { Device } from "../tagifai/device.js";
import type { StoreOptions } from "../tagifai/lifecycle.js";

/** The program-wide options. */
export interface GlobalOptions extends StoreOptions {
  device: Device;
}

/**
 * The program-wide options given to the program a command belongs to.
 * @param command the running command
 */
export function globalOptions(command: Command): GlobalOptions {
  const { device, trackingUri } = command.optsWithGlobals<GlobalOptions>();
  return { device, ...(trackingUri === undefined ? {} : { trackingUri }) };
}

/**
 * Set up the compute device for a command that loads or trains a model.
 * @param command the running command
 * @returns the program-wide options
 */
export async function useModelDevice(command: Command): Promise<GlobalOptions> {
  const options = globalOptions(command);
  const { setDevice } = await import("../tagifai/device.js");
  const used = await setDevice(options.device);
  logger.debug(`Using the ${used} backend`);
  return options;
}
